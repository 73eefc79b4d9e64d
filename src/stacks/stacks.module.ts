import { Module } from '@nestjs/common';
import { StacksController } from './stacks.controller.js';

@Module({ controllers: [StacksController] })
export class StacksModule {}
