import { Global, Module } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { SecretBox } from '../common/crypto/secret-box.js';

@Global()
@Module({
  providers: [
    {
      provide: SecretBox,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => {
        if (!config.encryptionKey)
          throw new Error('The encryption key must be resolved before the app starts');
        return new SecretBox([config.encryptionKey, ...config.previousEncryptionKeys]);
      },
    },
  ],
  exports: [SecretBox],
})
export class CryptoModule {}
