import type { FastifySchemaValidationError } from 'fastify';
import { problemResponse } from '../core/http/openapi';
import { invalidRequest, type ProblemDetails, type ProblemError } from '../core/http/problem-details';
import type { InputType } from '../jobs/summarize-job';

/**
 * The contract of `POST /api/submit` and `POST /api/submit/batch`, in one place: Fastify validates the bodies and
 * serializes the answers with these JSON schemas (compiled once: Ajv and fast-json-stringify), and the OpenAPI
 * document at /docs-json is built from them. The routes are native Fastify routes for speed; see submit.route.ts.
 */

/** Longest a submission may wait for its job to end (`wait`, seconds). */
export const MAX_WAIT_SECONDS = 60;

export interface SubmitRequest {
  readonly input: string;
  /** Seconds to hold the request for the job to end (0–60); past it, the usual 202. */
  readonly wait?: number;
  /** Where to deliver the job's end as a signed webhook. */
  readonly callback_url?: string;
}

export interface SubmitBatchRequest {
  readonly inputs: unknown[];
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

/** 200 after `wait`: the job ended while the request waited. */
export interface SubmitEndedResponse {
  readonly job_id: string;
  readonly status: 'completed' | 'failed';
  readonly cache: 'miss' | 'deduplicated';
  readonly summary: string | null;
  readonly tags: string[] | null;
  readonly input_type: InputType;
  readonly error: string | null;
}

export type SubmitResponse = SubmitHitResponse | SubmitQueuedResponse | SubmitEndedResponse;

/** An item of a batch answer: what a single submit answers, or the problem of an invalid item. */
export type SubmitBatchItem = SubmitResponse | { readonly status: 'error'; readonly error: ProblemDetails };

/** Whether the answer is a 200 (a hit, or a job that ended while the request waited) rather than a 202. */
export function isFinalAnswer(response: SubmitResponse): response is SubmitHitResponse | SubmitEndedResponse {
  return response.status === 'completed' || response.status === 'failed';
}

const INPUT_TYPE = { type: 'string', enum: ['text', 'url'] };
// OpenAPI 3.0 spelling of null (the document is 3.0); fast-json-stringify reads `nullable` too.
const NULLABLE_STRING = { type: 'string', nullable: true };
const CALLBACK_URL = {
  type: 'string',
  description:
    'An http(s) URL to POST the end of the job to (or the hit, at once) as a signed webhook (Standard Webhooks: ' +
    'job.completed or job.failed, with the full status). Needs WEBHOOK_SECRET on the server; private and loopback ' +
    'addresses are refused unless allowed by FETCH_ALLOWED_HOSTS. Each submission (each batch item) that carries ' +
    'one gets its own delivery. See docs/webhooks.md.',
};

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
    wait: {
      type: 'number',
      minimum: 0,
      maximum: MAX_WAIT_SECONDS,
      description: `Seconds (0–${MAX_WAIT_SECONDS}) to hold the request until the job ends: 200 with its result if it does, else the usual 202.`,
    },
    callback_url: CALLBACK_URL,
  },
};

/** 200: a hit, or a job that ended while the request waited (`wait`). */
export const SUBMIT_ANSWER_SCHEMA = {
  type: 'object',
  required: ['status', 'cache', 'input_type'],
  properties: {
    job_id: { type: 'string', description: 'Absent on a hit.' },
    status: { type: 'string', enum: ['completed', 'failed'] },
    cache: { type: 'string', enum: ['hit', 'miss', 'deduplicated'] },
    source: {
      type: 'string',
      enum: ['cache', 'archive'],
      description:
        'Hits only; archive: served from the PostgreSQL summary archive after the Redis entry expired.',
    },
    summary: NULLABLE_STRING,
    tags: { type: 'array', nullable: true, items: { type: 'string' } },
    input_type: INPUT_TYPE,
    error: { ...NULLABLE_STRING, description: 'Why the job failed (a waited-for job only).' },
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

export const SUBMIT_BATCH_REQUEST_SCHEMA = {
  type: 'object',
  required: ['inputs'],
  additionalProperties: false,
  properties: {
    // Items are not typed here: one bad item must not fail the others, so each is checked as a single input would be.
    inputs: {
      type: 'array',
      minItems: 1,
      description: 'Texts or URLs (1 to BATCH_MAX_INPUTS); each is answered as a single submit would be.',
    },
    callback_url: CALLBACK_URL,
  },
};

const PROBLEM_SCHEMA = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    errors: {
      type: 'array',
      items: { type: 'object', properties: { detail: { type: 'string' }, pointer: { type: 'string' } } },
    },
    'violated-policies': {
      type: 'array',
      items: { type: 'string' },
      description: 'A 429: the quota policies exceeded (`daily-jobs` for an item of a batch).',
    },
    'retry-after': {
      type: 'integer',
      description:
        'A 429: seconds until the quota lets the input through (the Retry-After of a single submit).',
    },
  },
  // Other extension members (RFC 9457 §3.2) are written as they are.
  additionalProperties: true,
};

/** One item of a batch answer: the 200 or 202 fields of a single submit, or `{status: "error", error: problem}`. */
const BATCH_ITEM_SCHEMA = {
  type: 'object',
  required: ['status'],
  properties: {
    ...SUBMIT_ANSWER_SCHEMA.properties,
    status: { type: 'string', enum: ['pending', 'processing', 'completed', 'failed', 'error'] },
    error: {
      anyOf: [NULLABLE_STRING, PROBLEM_SCHEMA],
      description: 'A failed job: why. An invalid item: the problem (RFC 9457) a single submit would answer.',
    },
  },
};

export const SUBMIT_BATCH_RESPONSE_SCHEMA = {
  type: 'object',
  required: ['results'],
  properties: { results: { type: 'array', items: BATCH_ITEM_SCHEMA } },
};

/** Fastify's route schemas: bodies are validated before the handlers run; answers are serialized by schema. */
export const SUBMIT_ROUTE_SCHEMA = {
  body: SUBMIT_REQUEST_SCHEMA,
  response: { 200: SUBMIT_ANSWER_SCHEMA, 202: SUBMIT_QUEUED_RESPONSE_SCHEMA },
};
export const SUBMIT_BATCH_ROUTE_SCHEMA = {
  body: SUBMIT_BATCH_REQUEST_SCHEMA,
  response: { 200: SUBMIT_BATCH_RESPONSE_SCHEMA },
};

/** What each field must be, as the 400 says it. */
const FIELD_RULES = {
  input: 'input must be a string',
  wait: `wait must be a number of seconds from 0 to ${MAX_WAIT_SECONDS}`,
  callback_url: 'callback_url must be a string (an http or https URL)',
  inputs: 'inputs must be a non-empty array of texts or URLs',
} as const;

/**
 * Ajv's findings as one 400 problem listing every invalid part of the body (`errors`, each with a JSON Pointer),
 * worded for the client rather than as schema paths. `mainField` is what a body that is not a JSON object lacks.
 */
function validationError(mainField: keyof typeof FIELD_RULES) {
  return (errors: FastifySchemaValidationError[]): Error => {
    const found = new Map<string, ProblemError>();
    for (const error of errors) {
      const params = error.params as { additionalProperty?: string; missingProperty?: string };
      const extra = params.additionalProperty;
      const field = params.missingProperty ?? /^\/([^/]+)/.exec(error.instancePath)?.[1] ?? mainField;
      const problem: ProblemError =
        extra !== undefined
          ? { detail: `property ${extra} should not exist`, pointer: `#/${extra}` }
          : { detail: FIELD_RULES[isField(field) ? field : mainField], pointer: `#/${field}` };
      found.set(problem.detail, problem);
    }
    return invalidRequest([...found.values()]);
  };
}

function isField(name: string): name is keyof typeof FIELD_RULES {
  return name in FIELD_RULES;
}

export const submitValidationError = validationError('input');
export const submitBatchValidationError = validationError('inputs');

/** The named schemas of the routes in the OpenAPI document (components/schemas). */
export const SUBMIT_OPENAPI_SCHEMAS = {
  SubmitRequest: SUBMIT_REQUEST_SCHEMA,
  SubmitAnswer: SUBMIT_ANSWER_SCHEMA,
  SubmitQueued: SUBMIT_QUEUED_RESPONSE_SCHEMA,
  SubmitBatchRequest: SUBMIT_BATCH_REQUEST_SCHEMA,
  SubmitBatchResponse: SUBMIT_BATCH_RESPONSE_SCHEMA,
};

const ref = (name: keyof typeof SUBMIT_OPENAPI_SCHEMAS) => ({ $ref: `#/components/schemas/${name}` });

const COMMON_PROBLEMS = {
  '401': problemResponse('API keys on (docs/access.md): missing, malformed, unknown or revoked key.'),
  '413': problemResponse('Body larger than MAX_INPUT_BYTES.'),
  '415': problemResponse('A body that is not application/json.'),
  '429': problemResponse('Over the request rate or the daily job quota; see Retry-After and RateLimit.', {
    retryAfter: true,
  }),
  '503': problemResponse('Redis is unreachable or full; retry after Retry-After.', { retryAfter: true }),
};

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
        example: { input: 'https://example.com/article', wait: 10 },
      },
    },
  },
  responses: {
    '200': {
      description: 'A cache hit, at once; or, with `wait`, the job ended (completed or failed) within it.',
      content: { 'application/json': { schema: ref('SubmitAnswer') } },
    },
    '202': {
      description:
        'Queued (miss) or already queued (deduplicated); follow /api/status/{job_id} (or its /events).',
      content: { 'application/json': { schema: ref('SubmitQueued') } },
    },
    '400': problemResponse(
      'Missing, empty, non-string or invalid input, bad wait, unknown fields, malformed JSON or UTF-8; a ' +
        'callback_url that is not a deliverable http(s) URL, or one sent while webhooks are off (no WEBHOOK_SECRET).',
    ),
    ...COMMON_PROBLEMS,
  },
};

/** The OpenAPI operation of `POST /api/submit/batch`. */
export const submitBatchOpenApiOperation = {
  tags: ['submit'],
  summary: 'Submit many inputs at once; each answered as a single submit would be',
  operationId: 'submitBatch',
  requestBody: {
    required: true,
    content: {
      'application/json': {
        schema: ref('SubmitBatchRequest'),
        example: { inputs: ['https://example.com/a', 'Some text to summarize. It has sentences.'] },
      },
    },
  },
  responses: {
    '200': {
      description:
        'One result per input, in order: a hit, a miss or deduplicated (equal inputs share one job), or ' +
        '`{"status":"error","error":{problem}}` for an invalid item (400) or a new input over the daily job quota ' +
        '(429 `quota-exceeded`, `retry-after` in seconds; no job made). Quota goes to the first new inputs in order; ' +
        'cached and running inputs still answer. One bad item never fails the others.',
      content: { 'application/json': { schema: ref('SubmitBatchResponse') } },
    },
    '400': problemResponse(
      'inputs is not an array, is empty or over BATCH_MAX_INPUTS; unknown fields; bad callback_url.',
    ),
    ...COMMON_PROBLEMS,
    '429': problemResponse(
      'Over the request rate; see Retry-After and RateLimit. (The daily job quota refuses items, not the batch.)',
      { retryAfter: true },
    ),
  },
};
