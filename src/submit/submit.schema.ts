import type { FastifySchemaValidationError } from 'fastify';
import { problemResponse } from '../core/http/openapi';
import { invalidRequest, type ProblemError } from '../core/http/problem-details';
import type { InputType } from '../jobs/summarize-job';

/**
 * The contract of `POST /api/submit`, in one place: Fastify validates the body and serializes the answers with these
 * JSON schemas (compiled once: Ajv and fast-json-stringify), and the OpenAPI document at /docs-json is built from
 * them (submitOpenApiOperation). The route is a native Fastify route for speed; see submit.route.ts.
 */

export interface SubmitRequest {
  readonly input: string;
  readonly callback_url?: string;
}

/** 200: the summary was already cached. */
export interface SubmitHitResponse {
  readonly status: 'completed';
  readonly cache: 'hit';
  /** Where the summary came from: the Redis cache, or the PostgreSQL archive after the cache entry expired. */
  readonly source: 'cache' | 'archive';
  readonly summary: string;
  readonly tags: string[];
  readonly input_type: InputType;
}

/** 202: a job was queued (`miss`) or one for the same input is already under way (`deduplicated`). */
export interface SubmitQueuedResponse {
  readonly job_id: string;
  readonly status: 'pending' | 'processing';
  readonly cache: 'miss' | 'deduplicated';
  readonly input_type: InputType;
}

export type SubmitResponse = SubmitHitResponse | SubmitQueuedResponse;

const INPUT_TYPE = { type: 'string', enum: ['text', 'url'] };

export const SUBMIT_REQUEST_SCHEMA = {
  type: 'object',
  required: ['input'],
  additionalProperties: false,
  properties: {
    // No minLength: Ajv would count the code points of every input to check it. An empty input, or one of only white
    // space, is refused by parseInput() with its own 400.
    input: {
      type: 'string',
      description: 'Text to summarize, or an http(s) URL whose page is fetched and summarized. Not empty.',
    },
    callback_url: {
      type: 'string',
      description:
        'An http(s) URL to POST the end of the job to (or the hit, at once) as a signed webhook (Standard ' +
        'Webhooks: job.completed or job.failed, with the full status). Needs WEBHOOK_SECRET on the server; ' +
        'private and loopback addresses are refused unless allowed by FETCH_ALLOWED_HOSTS. See docs/webhooks.md.',
    },
  },
};

export const SUBMIT_HIT_RESPONSE_SCHEMA = {
  type: 'object',
  required: ['status', 'cache', 'source', 'summary', 'tags', 'input_type'],
  properties: {
    status: { type: 'string', enum: ['completed'] },
    cache: { type: 'string', enum: ['hit'] },
    source: {
      type: 'string',
      enum: ['cache', 'archive'],
      description: 'archive: served from the PostgreSQL summary archive after the Redis entry expired.',
    },
    summary: { type: 'string' },
    tags: { type: 'array', items: { type: 'string' } },
    input_type: INPUT_TYPE,
  },
};

export const SUBMIT_QUEUED_RESPONSE_SCHEMA = {
  type: 'object',
  required: ['job_id', 'status', 'cache', 'input_type'],
  properties: {
    job_id: { type: 'string' },
    status: { type: 'string', enum: ['pending', 'processing'] },
    cache: { type: 'string', enum: ['miss', 'deduplicated'] },
    input_type: INPUT_TYPE,
  },
};

/** Fastify's route schema: the body is validated before the handler runs; 200 and 202 are serialized by schema. */
export const SUBMIT_ROUTE_SCHEMA = {
  body: SUBMIT_REQUEST_SCHEMA,
  response: { 200: SUBMIT_HIT_RESPONSE_SCHEMA, 202: SUBMIT_QUEUED_RESPONSE_SCHEMA },
};

/**
 * Ajv's findings as one 400 problem listing every invalid part of the body (`errors`, each with a JSON Pointer),
 * worded for the client rather than as schema paths.
 */
export function submitValidationError(errors: FastifySchemaValidationError[]): Error {
  const found = new Map<string, ProblemError>();
  for (const error of errors) {
    const property = (error.params as { additionalProperty?: string }).additionalProperty;
    const problem: ProblemError =
      property !== undefined
        ? { detail: `property ${property} should not exist`, pointer: `#/${property}` }
        : error.instancePath === '/callback_url'
          ? { detail: 'callback_url must be a string (an http or https URL)', pointer: '#/callback_url' }
          : // A missing or non-string input, and a body that is not a JSON object (or no body at all).
            { detail: 'input must be a string', pointer: '#/input' };
    found.set(problem.detail, problem);
  }
  return invalidRequest([...found.values()]);
}

/** The named schemas of the route in the OpenAPI document (components/schemas). */
export const SUBMIT_OPENAPI_SCHEMAS = {
  SubmitRequest: SUBMIT_REQUEST_SCHEMA,
  SubmitHit: SUBMIT_HIT_RESPONSE_SCHEMA,
  SubmitQueued: SUBMIT_QUEUED_RESPONSE_SCHEMA,
};

const ref = (name: keyof typeof SUBMIT_OPENAPI_SCHEMAS) => ({ $ref: `#/components/schemas/${name}` });

/** The OpenAPI operation of `POST /api/submit` (Nest's Swagger scanner only sees Nest controllers). */
export const submitOpenApiOperation = {
  tags: ['submit'],
  summary: 'Summarize text or a URL: the cached summary at once, or a job id to follow',
  operationId: 'submit',
  requestBody: {
    required: true,
    content: {
      'application/json': {
        schema: ref('SubmitRequest'),
        example: { input: 'https://example.com/article' },
      },
    },
  },
  responses: {
    '200': {
      description: 'Cache hit: the summary, at once.',
      content: { 'application/json': { schema: ref('SubmitHit') } },
    },
    '202': {
      description: 'Queued (miss) or already queued (deduplicated); follow /api/status/{job_id}.',
      content: { 'application/json': { schema: ref('SubmitQueued') } },
    },
    '400': problemResponse(
      'Missing, empty, non-string or invalid input, unknown fields, malformed JSON or UTF-8, bad URL; a ' +
        'callback_url that is not a deliverable http(s) URL, or one sent while webhooks are off (no WEBHOOK_SECRET).',
    ),
    '413': problemResponse('Body larger than MAX_INPUT_BYTES.'),
    '415': problemResponse('A body that is not application/json.'),
    '503': problemResponse('Redis is unreachable or full; retry after Retry-After.', { retryAfter: true }),
  },
};
