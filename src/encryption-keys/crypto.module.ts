import { Global, Module } from '@nestjs/common';
import { type AppConfig, encryptionKeyOf } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { SecretBox } from '../common/crypto/secret-box.js';

@Global()
@Module({
  providers: [
    {
      provide: SecretBox,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        new SecretBox([encryptionKeyOf(config), ...config.previousEncryptionKeys]),
    },
  ],
  exports: [SecretBox],
})
export class CryptoModule {}
