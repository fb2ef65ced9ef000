import { Global, Injectable, Module, applyDecorators } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import { ApiResponse, DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { packageVersion } from '../runtime/package-version';
import { PROBLEM_JSON } from './problem-details';

/** JSON Schema of every error answer (RFC 9457); named `ProblemDetails` in the OpenAPI document. */
export const PROBLEM_DETAILS_SCHEMA = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: {
      type: 'string',
      description: 'A URI naming the problem; `about:blank` when the status says it all.',
    },
    title: { type: 'string', description: 'The status code phrase, or a short name of the problem.' },
    status: { type: 'integer' },
    detail: { type: 'string', description: 'What went wrong, for a person.' },
    instance: { type: 'string', description: 'The request path.' },
    request_id: {
      type: 'string',
      description: 'The request id (also in the x-request-id header and the logs).',
    },
    errors: {
      type: 'array',
      description: 'Each invalid part of the request.',
      items: {
        type: 'object',
        required: ['detail'],
        properties: {
          detail: { type: 'string' },
          pointer: { type: 'string', description: 'JSON Pointer into the request body, e.g. `#/input`.' },
        },
      },
    },
  },
} as const;

const PROBLEM_REF = { $ref: '#/components/schemas/ProblemDetails' };
const RETRY_AFTER = {
  'Retry-After': { description: 'Seconds to wait before trying again.', schema: { type: 'integer' } },
};

/** An OpenAPI response whose body is a problem; `retryAfter` documents the Retry-After header. */
export function problemResponse(description: string, { retryAfter = false } = {}) {
  return {
    description,
    ...(retryAfter ? { headers: RETRY_AFTER } : {}),
    content: { [PROBLEM_JSON]: { schema: PROBLEM_REF } },
  };
}

/** Documents a problem answer of a Nest controller route. */
export function ApiProblem(status: number, description: string, options: { retryAfter?: boolean } = {}) {
  return ApiResponse({ status, ...problemResponse(description, options) });
}

/** The answers every Redis-backed route may give when Redis is away or full. */
export function ApiRedisProblems() {
  return applyDecorators(
    ApiProblem(503, 'Redis is unreachable or full; retry after Retry-After.', { retryAfter: true }),
  );
}

/**
 * What the Swagger scan cannot see: native Fastify routes (submit.route.ts) add their operations and schemas here,
 * and the document is assembled from both.
 */
@Injectable()
export class OpenApiRegistry {
  private readonly operations: Array<{ path: string; method: 'post' | 'get'; operation: object }> = [];
  private readonly schemas: Record<string, object> = { ProblemDetails: PROBLEM_DETAILS_SCHEMA };

  addOperation(path: string, method: 'post' | 'get', operation: object): void {
    this.operations.push({ path, method, operation });
  }

  addSchemas(schemas: Record<string, object>): void {
    Object.assign(this.schemas, schemas);
  }

  applyTo(document: OpenAPIObject): void {
    document.components = {
      ...document.components,
      schemas: { ...document.components?.schemas, ...this.schemas },
    };
    for (const { path, method, operation } of this.operations) {
      document.paths[path] = { ...document.paths[path], [method]: operation };
    }
  }
}

@Global()
@Module({ providers: [OpenApiRegistry], exports: [OpenApiRegistry] })
export class OpenApiModule {}

/** The OpenAPI document of the app: the Swagger scan of its controllers plus the registry's native routes. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('SmartCache AI')
      .setDescription(
        'Submit text or a URL; get a cached summary at once or a job id to follow. Every error is an RFC 9457 ' +
          'problem (application/problem+json).',
      )
      .setVersion(packageVersion())
      .addServer('/', 'this server')
      .addBearerAuth(
        { type: 'http', scheme: 'bearer', description: 'An API key (sk_…), when API_KEYS_REQUIRED=true' },
        'bearer',
      )
      .addApiKey(
        { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'The same API key, as a header' },
        'api_key',
      )
      .build(),
  );
  document.info.license = { name: 'Proprietary', url: 'https://github.com/smartcache-ai' };
  // Keys are optional (API_KEYS_REQUIRED): no credentials, or either form of a key.
  document.security = [{}, { bearer: [] }, { api_key: [] }];
  app.get(OpenApiRegistry).applyTo(document);
  return document;
}
