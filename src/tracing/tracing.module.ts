import { Module } from '@nestjs/common';
import { RouteNamingHook } from './route-naming.hook';

/** What an HTTP-serving process that traces adds to its app (the SDK itself is started by main.ts). */
@Module({ providers: [RouteNamingHook] })
export class TracingModule {}
