import { Controller, Get, Header, Param, Post, Req, Res, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Auth, AuthContext } from '../../common/auth-context';
import { DocumentsService } from './documents.service';
import { streamingMultipartReader } from './multipart-upload';

/** PDFs in threads: upload (members of the thread) and download (who may see the post). */
@ApiTags('documents')
@ApiBearerAuth()
@Controller('api')
export class DocumentsController {
  constructor(private readonly documents: DocumentsService) {}

  @Post('threads/:id/documents')
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary', description: 'One PDF' } } } })
  @ApiCreatedResponse({
    description:
      '`{ id, name, size }`: stored, not yet attached; the next `POST /api/threads/:id/posts` with `documentIds` takes it. ' +
      'UNSUPPORTED_MEDIA_TYPE (not a PDF, active content, encrypted), PAYLOAD_TOO_LARGE (over the center limit), RATE_LIMITED (daily quota), CONFLICT (closed thread).',
  })
  upload(@Auth() auth: AuthContext, @Param('id') id: string, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.documents.upload(auth, id, streamingMultipartReader(req, res));
  }

  @Get('documents/:id')
  @ApiProduces('application/pdf')
  @ApiOkResponse({ description: 'The PDF as an attachment (`Content-Disposition: attachment`, `nosniff`, `no-store`).' })
  @Header('X-Content-Type-Options', 'nosniff')
  @Header('Cache-Control', 'no-store')
  @Header('Content-Security-Policy', "default-src 'none'; sandbox")
  async download(@Auth() auth: AuthContext, @Param('id') id: string): Promise<StreamableFile> {
    const doc = await this.documents.download(auth, id);
    return new StreamableFile(doc.body, { type: 'application/pdf', disposition: doc.disposition, length: doc.size });
  }
}
