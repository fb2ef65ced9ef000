import { BadRequestException, Injectable, type PipeTransform } from '@nestjs/common';

/** The body of `POST /api/submit` once checked. */
export interface SubmitBody {
  readonly input: string;
}

const EMPTY = 'input must not be empty';
const NOT_A_STRING = 'input must be a string';

/**
 * Checks the submit body the way the global ValidationPipe checks {@link SubmitRequestDto} (whitelist,
 * forbidNonWhitelisted, IsString, IsNotEmpty), with the same 400 messages in the same order, without
 * class-transformer and class-validator: this route is the hot path, and those two cost more per request than the
 * rest of a cache hit together (docs/performance.md). The controller types its body as {@link SubmitBody}, an
 * interface, so the global pipe passes it through untouched.
 */
@Injectable()
export class SubmitBodyPipe implements PipeTransform<unknown, SubmitBody> {
  transform(body: unknown): SubmitBody {
    if (typeof body === 'object' && body !== null) {
      const fields = body as Record<string, unknown>;
      const input = fields.input;
      let only = true;
      for (const key in fields) {
        if (key !== 'input' && Object.hasOwn(fields, key)) {
          only = false;
          break;
        }
      }
      if (only && typeof input === 'string' && input.length > 0) return { input };
    }
    throw new BadRequestException(problems(body));
  }
}

/** Every problem of a body, as ValidationPipe lists them: unknown properties first, then `input`'s. */
function problems(body: unknown): string[] {
  const messages: string[] = [];
  let input: unknown;
  if (typeof body === 'object' && body !== null) {
    const fields = body as Record<string, unknown>;
    for (const key of Object.keys(fields))
      if (key !== 'input') messages.push(`property ${key} should not exist`);
    input = Array.isArray(body) ? undefined : fields.input;
  }
  if (input === '' || input === null || input === undefined) messages.push(EMPTY);
  if (typeof input !== 'string') messages.push(NOT_A_STRING);
  return messages;
}
