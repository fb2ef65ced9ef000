import type { FactoryProvider } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Environment } from '../../core/config/environment';
import { HistoryCursorCodec } from './history-cursor';

export const HISTORY_CURSOR_CODEC = Symbol('HISTORY_CURSOR_CODEC');

/**
 * The cursor key, derived from DATABASE_URL: every API process of a deployment shares it (so a cursor from one works
 * on another) without a setting of its own, and a client cannot sign a cursor without the database credentials.
 */
export const historyCursorCodecProvider: FactoryProvider<HistoryCursorCodec> = {
  provide: HISTORY_CURSOR_CODEC,
  inject: [ConfigService],
  useFactory: (config: ConfigService<Environment, true>) =>
    new HistoryCursorCodec(config.get('DATABASE_URL', { infer: true }) ?? ''),
};
