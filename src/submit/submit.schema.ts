import { BadRequestException } from '@nestjs/common';
import type { FastifySchemaValidationError } from 'fastify';
import type { InputType } from '../core/queue/summarize-job';

/**
 * The contract of `POST /api/submit`, in one place: Fastify validates the body and serializes the answers with these
 * JSON schemas (compiled once: Ajv and fast-json-stringify), and the OpenAPI document at /docs-json is built from
 * them (submitOpenApiOperation). The route is a native Fastify route for speed; see submit.route.ts.
 */

export interface SubmitRequest {
  readonly input: string;
}

/** 200: the summary was already cached. */
export interface SubmitHitResponse {
  readonly status: 'completed';
  readonly cache: 'hit';
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
  },
};

export const SUBMIT_HIT_RESPONSE_SCHEMA = {
  type: 'object',
  required: ['status', 'cache', 'summary', 'tags', 'input_type'],
  properties: {
    status: { type: 'string', enum: ['completed'] },
    cache: { type: 'string', enum: ['hit'] },
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
 * Ajv's findings as the 400 every other route gives (Nest's `BadRequestException`: `message` lists every problem),
 * worded for the client rather than as schema paths.
 */
export function submitValidationError(errors: FastifySchemaValidationError[]): BadRequestException {
  const messages = errors.map((error) => {
    const property = (error.params as { additionalProperty?: string }).additionalProperty;
    if (property !== undefined) return `property ${property} should not exist`;
    // A missing or non-string input, and a body that is not a JSON object (or no body at all).
    return 'input must be a string';
  });
  return new BadRequestException([...new Set(messages)]);
}

const errorResponse = (description: string) => ({
  description,
  content: {
    'application/json': {
      schema: {
        type: 'object',
        properties: {
          statusCode: { type: 'integer' },
          error: { type: 'string' },
          message: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
        },
      },
    },
  },
});

const problemResponse = (description: string) => ({
  description,
  content: {
    'application/problem+json': {
      schema: {
        type: 'object',
        properties: {
          type: { type: 'string' },
          title: { type: 'string' },
          status: { type: 'integer' },
          detail: { type: 'string' },
        },
      },
    },
  },
});

/** The OpenAPI operation of `POST /api/submit` (Nest's Swagger scanner only sees Nest controllers). */
export const submitOpenApiOperation = {
  tags: ['submit'],
  summary: 'Summarize text or a URL: the cached summary at once, or a job id to poll',
  operationId: 'submit',
  requestBody: {
    required: true,
    content: {
      'application/json': {
        schema: SUBMIT_REQUEST_SCHEMA,
        example: { input: 'https://example.com/article' },
      },
    },
  },
  responses: {
    '200': {
      description: 'Cache hit: the summary, at once.',
      content: { 'application/json': { schema: SUBMIT_HIT_RESPONSE_SCHEMA } },
    },
    '202': {
      description: 'Queued (miss) or already queued (deduplicated); poll /api/status/{job_id}.',
      content: { 'application/json': { schema: SUBMIT_QUEUED_RESPONSE_SCHEMA } },
    },
    '400': errorResponse('Missing, empty or non-string input, unknown fields, malformed JSON, bad URL.'),
    '401': problemResponse('API keys on (docs/access.md): missing, malformed, unknown or revoked key.'),
    '413': errorResponse('Body larger than MAX_INPUT_BYTES.'),
    '429': problemResponse('Over the request rate or the daily job quota; see Retry-After and RateLimit.'),
    '503': errorResponse('Redis is unreachable; retry after the Retry-After header.'),
  },
};
