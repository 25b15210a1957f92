import pino, { type Logger } from 'pino';
import type { AppConfig } from '../config';

export type { Logger };

/**
 * Structured JSON logs. Secrets never reach them: authorization headers and anything named like a
 * password, token or signature are redacted wherever they appear.
 */
export function createLogger(config: Pick<AppConfig, 'logLevel'>): Logger {
  return pino({
    level: config.logLevel,
    base: { service: 'customs-stats' },
    redact: {
      paths: [
        'req.headers.authorization',
        '*.password',
        '*.newPassword',
        '*.currentPassword',
        '*.token',
        '*.signature',
        '*.assertion',
        'variables',
      ],
      censor: '[redacted]',
    },
  });
}
