import { INestApplication, PayloadTooLargeException, UnsupportedMediaTypeException } from '@nestjs/common';
import type { CorsOptions } from '@nestjs/common/interfaces/external/cors-options.interface';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Application, NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { existsSync } from 'node:fs';
import { join, sep } from 'node:path';
import { AppModule } from './app.module';
import { compileProxyTrust } from './common/client-address';
import { CoreOptions } from './common/core.module';
import { HttpErrorFilter } from './common/http-exception.filter';
import { hashedStylesCspFor, securityHeaders, swaggerRuntimeStyles } from './common/security-headers';
import { NEST_SHUTDOWN_SIGNALS } from './graceful-shutdown';
import { createValidationPipe, jsonTextTooDeep, TOO_DEEP_MESSAGE } from './common/validation';
import { foreignOriginGate } from './realtime/origin-gate';
import { LotseIoAdapter } from './realtime/io-adapter';
import { acceptsMultipart, closeAfterAnswer } from './modules/documents/multipart-upload';
import { acceptsPictureUpload } from './modules/team/team.controller';
import { LiveQueueService } from './modules/live-queue/live-queue.service';
import { installLiveStatusFastPath } from './modules/live-queue/live-status.fast-path';

/** The largest JSON body (64 KiB). */
const JSON_BODY_LIMIT_BYTES = 64 * 1024;

export const CLIENT_DIR = join(__dirname, '..', 'dist', 'client');
const clientDir = (): string => (existsSync(CLIENT_DIR) ? CLIENT_DIR : join(__dirname, 'client'));

/** Builds the whole application (used by main.ts and by the tests, which pass their own config). */
export async function createApp(options: CoreOptions): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(options), { bufferLogs: true, bodyParser: false });
  app.useLogger(app.get(Logger));
  // X-Forwarded-For only from the proxies named in TRUSTED_PROXIES (none by default)
  const trust = compileProxyTrust(options.config.trustedProxies);
  app.set('trust proxy', (address: string) => trust(address));
  app.disable('x-powered-by');
  // A body that is not JSON is refused (415), not silently ignored as an empty object; so is a
  // compressed one (browsers never compress requests; inflating costs work and invites zip bombs).
  app.use((req: Request, res: Response, next: NextFunction) => {
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    if (hasBody && encoding !== 'identity') return next(new UnsupportedMediaTypeException('The request body must not be compressed (no Content-Encoding).'));
    // the multipart routes (document upload, team picture) read their body themselves, with their own limits
    const multipart = acceptsMultipart(req.method, req.path) || acceptsPictureUpload(req.method, req.path);
    if (hasBody && !req.is('application/json') && !(multipart && req.is('multipart/form-data')))
      return next(new UnsupportedMediaTypeException('The request body must be JSON (Content-Type: application/json).'));
    // a JSON body declared over the limit is answered before it is read (the parser would drain it first)
    if (!multipart && Number(req.headers['content-length'] ?? 0) > JSON_BODY_LIMIT_BYTES) {
      closeAfterAnswer(req, res);
      return next(new PayloadTooLargeException('The request body is too large.'));
    }
    next();
  });
  // Nesting is checked on the raw bytes before parsing: deep JSON would overflow the stack of the
  // validation, costing a stack trace and a 500 for one unauthenticated request.
  app.useBodyParser('json', {
    limit: JSON_BODY_LIMIT_BYTES,
    strict: true,
    verify: (_req: Request, _res: Response, raw: Buffer) => {
      if (jsonTextTooDeep(raw)) throw Object.assign(new Error(TOO_DEEP_MESSAGE), { status: 400, type: 'entity.too.deep' });
    },
  });
  const helmetHeaders = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'"],
        'img-src': ["'self'", 'data:'],
        'connect-src': ["'self'"],
        'font-src': ["'self'"],
        'object-src': ["'none'"],
        'base-uri': ["'none'"],
        'form-action': ["'self'"],
        'frame-ancestors': ["'self'"],
      },
    },
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: 'no-referrer' },
    // only over TLS (securityHeaders): helmet would send it on plain HTTP as well
    strictTransportSecurity: false,
  });
  app.use(helmetHeaders);
  app.use(securityHeaders);
  app.useGlobalFilters(new HttpErrorFilter());
  app.useGlobalPipes(createValidationPipe());
  // The public status reads (homepage button) may come from any homepage; everything else only from allowed origins.
  app.enableCors((req: Request, cb: (err: Error | null, options: CorsOptions) => void) =>
    cb(null, isPublicRead(req) ? { origin: '*', methods: ['GET'], credentials: false } : { origin: options.config.allowedOrigins, credentials: false }),
  );
  // A page of another site gets no answer from the API beyond the public reads (defence in depth
  // beside CORS and bearer tokens; the socket handshake has the same rule in io-adapter.ts).
  app.use(foreignOriginGate(options.config.allowedOrigins, isPublicRead));
  // The homepage button's status, polled by every open homepage: answered on the http server's
  // 'request' event in front of Express, with the headers the chain above sets (see the file)
  installLiveStatusFastPath(app.getHttpServer(), app.get(LiveQueueService), {
    helmet: helmetHeaders as unknown as Parameters<typeof installLiveStatusFastPath>[2]['helmet'],
    trustProxy: (address) => trust(address),
    etag: (app.getHttpAdapter().getInstance() as Application).get('etag fn') as (body: string, encoding: BufferEncoding) => string | undefined,
  });
  // SIGTERM and SIGINT drain the node first (src/graceful-shutdown.ts, installed by main.ts)
  app.enableShutdownHooks(NEST_SHUTDOWN_SIGNALS);
  app.useWebSocketAdapter(new LotseIoAdapter(app, options.config));

  const doc = new DocumentBuilder()
    .setTitle('Lotse API')
    .setDescription('Confidential online counseling. Socket.IO events: see docs/realtime.md. Error body: { error: { code, message } }.')
    .setVersion('0.1.0')
    .addBearerAuth()
    .build();
  // Swagger UI's page has inline styles: allowed by their hashes, not by 'unsafe-inline'
  app.use(hashedStylesCspFor('/api/docs', swaggerRuntimeStyles()));
  SwaggerModule.setup('api/docs', app, () => SwaggerModule.createDocument(app, doc), { jsonDocumentUrl: 'api/docs/openapi.json' });

  if (options.config.serveClient) {
    app.useStaticAssets(clientDir(), {
      index: false,
      extensions: ['html'],
      // The loader is included by the centers' homepages (other origins).
      setHeaders: (res: Response, path: string) => {
        if (path.endsWith(`${sep}widget.js`)) res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
      },
    });
  }
  return app;
}

const PUBLIC_READ = /^\/api\/centers\/[a-z0-9-]{1,64}(\/live|\/topic-chats|\/team)?\/?(\?.*)?$/;

/** Unauthenticated GETs of public center status, read by the widget loader on any homepage. */
function isPublicRead(req: Request): boolean {
  return (req.method === 'GET' || req.method === 'OPTIONS') && PUBLIC_READ.test(req.originalUrl ?? req.url);
}
