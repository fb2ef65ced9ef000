import { type INestApplicationContext, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import type { Environment } from './core/config/environment';

/**
 * Builds the application the way every entry point needs it (main.ts, tests, the benchmark): the HTTP API on
 * Fastify when the role serves it, or a bare application context for worker-only processes.
 */
export async function createApp(env: Environment): Promise<NestFastifyApplication | INestApplicationContext> {
  if (env.PROCESS_ROLE === 'worker') {
    const context = await NestFactory.createApplicationContext(AppModule.register(env), {
      bufferLogs: true,
      abortOnError: false,
    });
    context.useLogger(context.get(Logger));
    return context;
  }
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.register(env),
    createFastifyAdapter(env),
    { bufferLogs: true, abortOnError: false },
  );
  configureHttpApp(app);
  return app;
}

export function isHttpApp(
  app: NestFastifyApplication | INestApplicationContext,
): app is NestFastifyApplication {
  return 'getHttpAdapter' in app;
}

/** What every HTTP app gets, whoever built its module (main.ts, or a test that overrides a provider). */
export function configureHttpApp(app: NestFastifyApplication): void {
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      stopAtFirstError: false,
    }),
  );
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('SmartCache AI')
      .setDescription('Submit text or a URL; get a cached summary at once or a job id to poll.')
      .setVersion('1.0')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}

export function createFastifyAdapter(env: Environment): FastifyAdapter {
  return new FastifyAdapter({ bodyLimit: env.MAX_INPUT_BYTES, requestIdHeader: 'x-request-id' });
}
