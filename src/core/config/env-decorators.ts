import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsNumber, IsOptional, IsString, Max, Min, ValidateBy } from 'class-validator';
import { parseDurationSeconds } from './duration';

/**
 * Property decorators for environment variables, each with ONE message that says what the variable must be (the
 * default class-validator messages list every failed rule, and print NaN for a number that is not one).
 */

type PropertyDecorators = (target: object, key: string) => void;

const compose =
  (...decorators: PropertyDecorator[]): PropertyDecorators =>
  (target, key) => {
    for (const decorator of decorators) decorator(target, key);
  };

/** A decimal string becomes a number; anything else stays as given, so the message can show it. */
const toNumber = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value;

const rangeText = (min: number, max?: number) =>
  max === undefined ? `at least ${min}` : `from ${min} to ${max}`;

/** An integer in [min, max]. */
export function Int(min: number, max?: number): PropertyDecorators {
  const message = `must be an integer ${rangeText(min, max)}`;
  return compose(
    Transform(toNumber),
    IsInt({ message }),
    Min(min, { message }),
    ...(max === undefined ? [] : [Max(max, { message })]),
  );
}

/** A number (decimals allowed) in [min, max]. */
export function Decimal(min: number, max?: number): PropertyDecorators {
  const message = `must be a number ${rangeText(min, max)}`;
  return compose(
    Transform(toNumber),
    IsNumber({ allowNaN: false, allowInfinity: false }, { message }),
    Min(min, { message }),
    ...(max === undefined ? [] : [Max(max, { message })]),
  );
}

/** One of `values`, compared case-insensitively (`AI_PROVIDER=Gemini` means gemini). */
export function OneOf(values: readonly string[]): PropertyDecorators {
  return compose(
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' ? value.trim().toLowerCase() : value,
    ),
    IsIn(values, { message: `must be one of: ${values.join(', ')}` }),
  );
}

/** `true`/`false` (also 1/0, yes/no, on/off). */
export function Bool(): PropertyDecorators {
  const truthy = new Set(['true', '1', 'yes', 'on']);
  const falsy = new Set(['false', '0', 'no', 'off']);
  return compose(
    Transform(({ value }: { value: unknown }) => {
      if (typeof value !== 'string') return value;
      const text = value.trim().toLowerCase();
      return truthy.has(text) ? true : falsy.has(text) ? false : value;
    }),
    ValidateBy({
      name: 'isBooleanVariable',
      validator: {
        validate: (value) => typeof value === 'boolean',
        defaultMessage: () => 'must be true or false',
      },
    }),
  );
}

/** An absolute URL with one of `protocols` (without the colon); `example` shows the expected form. */
export function UrlWith(protocols: readonly string[], example: string): PropertyDecorators {
  const message = `must be a ${protocols.map((p) => `${p}://`).join(' or ')} URL, e.g. ${example}`;
  return ValidateBy({
    name: 'isUrlWithProtocol',
    validator: {
      validate: (value) => {
        if (typeof value !== 'string') return false;
        try {
          const url = new URL(value);
          return protocols.includes(url.protocol.slice(0, -1)) && url.hostname !== '';
        } catch {
          return false;
        }
      },
      defaultMessage: () => message,
    },
  });
}

/** An optional string: unset stays undefined. */
export function OptionalString(): PropertyDecorators {
  return compose(IsOptional(), IsString());
}

/** A duration, as whole seconds or with one unit (`30d`, `12h`, `15m`, `90s`, `2w`); held as seconds. */
export function DurationSeconds(min = 1): PropertyDecorators {
  const message = `must be whole seconds or a duration like 30d, 12h, 15m (at least ${min} s)`;
  return compose(
    Transform(({ value }: { value: unknown }) => parseDurationSeconds(value) ?? value),
    IsInt({ message }),
    Min(min, { message }),
  );
}

/** Standard base64 with its padding, as the Standard Webhooks libraries decode it. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Bytes of the key a `whsec_…` Standard Webhooks secret holds; 0 when it is not in that form. */
export function webhookSecretBytes(secret: string): number {
  if (!secret.startsWith('whsec_')) return 0;
  const base64 = secret.slice('whsec_'.length);
  return BASE64.test(base64) ? Buffer.from(base64, 'base64').length : 0;
}

/** A Standard Webhooks secret: `whsec_` and the base64 of a random key of at least `minBytes` bytes. */
export function WebhookSecret(minBytes: number): PropertyDecorators {
  const message =
    `must be whsec_ followed by the base64 of at least ${minBytes} random bytes ` +
    '(make one with: echo "whsec_$(openssl rand -base64 32)")';
  return ValidateBy({
    name: 'isWebhookSecret',
    validator: {
      validate: (value) => typeof value === 'string' && webhookSecretBytes(value) >= minBytes,
      defaultMessage: () => message,
    },
  });
}
