import { existsSync } from 'node:fs';
import { validateEnvironment, type Environment } from './environment';

/**
 * Reads `.env` (when present; real environment variables win) and validates the result. This is the one place
 * that reads `process.env`.
 */
export function loadEnvironment(overrides: Record<string, string | undefined> = {}): Environment {
  if (existsSync('.env')) process.loadEnvFile('.env');
  return validateEnvironment({ ...process.env, ...overrides });
}
