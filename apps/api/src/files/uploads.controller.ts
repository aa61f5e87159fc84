import type {} from '@fastify/multipart';
import {
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { FilesService } from '@jewelshot/ai-jobs';
import type { Principal } from '@jewelshot/identity';
import { RowScope, ValidationError } from '@jewelshot/platform';
import { ApiErrors } from '../common/api-errors.decorator';
import { CurrentPrincipal } from '../common/current-principal.decorator';
import { Public } from '../common/public.decorator';
import { RateLimit } from '../common/rate-limit.decorator';
import { RequireScopes } from '../common/scopes.decorator';
import {
  FileContentQueryDto,
  FileDto,
  FileListQueryDto,
  FilePageDto,
  StorageUsageDto,
  UploadBodyDto,
} from './files.dto';
import { JobView } from '../ai/job-view.service';
import { readAsCaller } from '../common/seller-reach';
import { AdminReads } from '@jewelshot/admin';
import type { AuditActor } from '@jewelshot/audit';
import { Actor } from '../admin/audit-actor.decorator';

/** A part other than the one `file`: refused as an unknown JSON field is. */
function unexpectedPart(
  name: string,
  message = `part ${name} should not exist: send one part, the file field \`file\``,
): ValidationError {
  return new ValidationError([{ field: name, message, constraint: 'whitelistValidation' }]);
}

/**
 * The bytes of the request's one part, the file field `file`; with no such part, 400 `isDefined`
 * on `file`; with any other part beside it (a second file, a field), 400 naming that part,
 * rather than left unread. A body the multipart parser cannot read (no boundary, cut short,
 * never closed) is the client's error, 400; the parser's own 4xx (a file over UPLOAD_MAX_BYTES
 * is 413) pass through.
 */
async function readFilePart(request: FastifyRequest): Promise<Buffer> {
  let bytes: Buffer | undefined;
  let unexpected: string | undefined;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file' && part.fieldname === 'file') bytes = await part.toBuffer();
      else if (part.fieldname === 'file')
        // A `file` part without a filename is a form field to the parser, not a file.
        throw new ValidationError([
          {
            field: 'file',
            message: 'file must be a file part: give it a filename in its Content-Disposition',
            constraint: 'isDefined',
          },
        ]);
      else {
        unexpected ??= part.fieldname;
        // Read to its end (within the parser's limits) so that the parts after it are reached.
        if (part.type === 'file') await part.toBuffer();
      }
    }
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    // Past the parser's limits (one file, five fields, six parts): more than the one part.
    if (code === 'FST_FILES_LIMIT' || code === 'FST_FIELDS_LIMIT' || code === 'FST_PARTS_LIMIT')
      throw unexpectedPart('file', 'send one part only, the file field `file`: this body has more');
    // A part named `__proto__` (or another prototype property): refused by the parser.
    if (code === 'FST_PROTO_VIOLATION') throw unexpectedPart('__proto__');
    const status = (error as { statusCode?: unknown }).statusCode;
    if (error instanceof ValidationError || (typeof status === 'number' && status < 500))
      throw error;
    throw new ValidationError([
      { field: 'file', message: 'the multipart body could not be read: malformed or cut short' },
    ]);
  }
  // No file at all says so first; a file with company names the first part it should not have.
  if (!bytes)
    throw new ValidationError([
      { field: 'file', message: 'file is required', constraint: 'isDefined' },
    ]);
  if (unexpected !== undefined) throw unexpectedPart(unexpected);
  return bytes;
}

@ApiTags('files')
@Controller({ version: '1' })
export class UploadsController {
  constructor(
    private readonly files: FilesService,
    private readonly view: JobView,
    private readonly scope: RowScope,
    private readonly reads: AdminReads,
  ) {}

  @Post('uploads')
  @RequireScopes('files:write')
  @RateLimit({ rateLimitPolicy: 'uploads', concurrencyPolicy: 'expensive' })
  @ApiOperation({
    summary: 'Upload an image',
    description:
      'multipart/form-data with one part, the file field `file`: a JPEG, PNG or WebP (recognised by its bytes) up to UPLOAD_MAX_BYTES; ' +
      'no `file` part is 400 (`isDefined`), and any other part beside it (a second file, a field) is 400 (`whitelistValidation`). ' +
      'It is turned upright (EXIF), stripped of all metadata, scaled to UPLOAD_MAX_SIDE and re-encoded. ' +
      'An image over IMAGE_MAX_PIXELS (by its header) or past your STORAGE_QUOTA_BYTES is 413 (details: width/height/maxPixels, ' +
      'or used/quota/incoming); with too much image work in progress, 503 with Retry-After. ' +
      'With an Idempotency-Key (kept 24 h): the same key and the same bytes answer with the first file (header ' +
      '`idempotent-replayed: true`), stored once; the same key with other bytes is 422 IDEMPOTENCY_KEY_REUSED; while ' +
      'the first is still in flight, 409; once that file was deleted, 404.',
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: '1-255 printable ASCII characters, unique per request',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: UploadBodyDto })
  @ApiCreatedResponse({ type: FileDto, description: 'The stored image' })
  @ApiErrors(
    'VALIDATION_ERROR',
    'PAYLOAD_TOO_LARGE',
    'UNSUPPORTED_MEDIA_TYPE',
    'SERVICE_UNAVAILABLE',
    'CONFLICT',
    'IDEMPOTENCY_KEY_REUSED',
    'RESOURCE_NOT_FOUND',
  )
  async upload(
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<FileDto> {
    if (!request.isMultipart())
      throw new ValidationError([
        { field: 'file', message: 'send multipart/form-data with a file field' },
      ]);
    const bytes = await readFilePart(request);
    const { file, replayed } = await this.files.upload(principal.userId, bytes, {
      idempotencyKey: key,
    });
    if (replayed) void reply.header('idempotent-replayed', 'true');
    return this.view.file(file);
  }

  @Get('files')
  @RequireScopes('jobs:read')
  @ApiOperation({
    summary: 'Your files, newest first (cursor-paginated)',
    description:
      'Your uploads and the outputs of your jobs (`kind` keeps one of the two), each with a fresh signed URL. ' +
      'A deleted file is no longer listed. How much of your storage quota they take: GET /v1/files/usage.',
  })
  @ApiOkResponse({ type: FilePageDto, description: 'One page' })
  @ApiErrors('VALIDATION_ERROR')
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: FileListQueryDto,
  ): Promise<FilePageDto> {
    const page = await this.scope.run(principal.userId, () =>
      this.files.list(principal.userId, query.limit, query.kind, query.cursor),
    );
    return { data: await this.view.fileList(page.data), nextCursor: page.nextCursor };
  }

  @Get('files/usage')
  @RequireScopes('jobs:read')
  @ApiOperation({
    summary: 'Your storage use and quota',
    description:
      'Bytes of the files you keep (uploads and outputs) against STORAGE_QUOTA_BYTES. An upload that would take ' +
      'usedBytes past quotaBytes is 413; deleting files (DELETE /v1/files/{id}) frees their bytes at once.',
  })
  @ApiOkResponse({ type: StorageUsageDto, description: 'Your use' })
  async usage(@CurrentPrincipal() principal: Principal): Promise<StorageUsageDto> {
    return this.files.usage(principal.userId);
  }

  @Get('files/:id')
  @RequireScopes('jobs:read')
  @ApiOperation({ summary: 'A file of yours, with a fresh signed URL' })
  @ApiOkResponse({ type: FileDto, description: 'The file' })
  @ApiErrors('RESOURCE_NOT_FOUND')
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Actor() actor: AuditActor,
  ): Promise<FileDto> {
    // An admin reading another user's file (and its signed URL) is on the record first.
    return readAsCaller(
      { scope: this.scope, reads: this.reads },
      principal,
      actor,
      'file',
      async (anyUser) => {
        const file = await this.files.getVisible(id, principal.userId, anyUser);
        return { view: await this.view.file(file), ownerId: file.userId };
      },
    );
  }

  @Delete('files/:id')
  @HttpCode(204)
  @RequireScopes('files:write')
  @ApiOperation({
    summary: 'Delete a file of yours',
    description:
      'An upload or an output: its bytes are deleted and no longer count against your storage quota, and its ' +
      'signed URLs stop working (a presigned S3 URL may still serve until it expires, up to FILE_URL_TTL_SECONDS, ' +
      'should the store not have answered the delete). Credits are not touched: a job stays paid for, and its ' +
      'view no longer lists the output. A file that a queued or running job (or batch item) uses as its input is ' +
      '409 CONFLICT with `details.reason: FILE_IN_USE` and `details.jobIds`: cancel those jobs or wait for them ' +
      "to end. Someone else's file, an unknown id, or a file already deleted is 404 (a second DELETE is 404).",
  })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors('RESOURCE_NOT_FOUND', 'CONFLICT')
  async remove(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<void> {
    // The caller's own files only, an admin's too (OWN_ONLY): no seller route deletes another's.
    await this.files.remove(id, principal.userId);
  }

  @Get('files/:id/content')
  @Public()
  @RateLimit({ concurrencyPolicy: 'downloads', countBy: 'address', abandonable: true })
  @ApiOperation({ summary: 'The bytes of a file, through a signed URL (no token needed)' })
  @ApiOkResponse({
    description: 'The image',
    content: Object.fromEntries(
      ['image/jpeg', 'image/png', 'image/webp'].map((type) => [
        type,
        { schema: { type: 'string', format: 'binary' } },
      ]),
    ),
  })
  @ApiErrors('RESOURCE_NOT_FOUND')
  async content(
    @Param('id') id: string,
    @Query() query: FileContentQueryDto,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const { file, body } = await this.files.openSigned(id, query.expires, query.sig);
    await reply
      .header('content-type', file.contentType)
      .header('cache-control', 'private, max-age=300')
      .header('x-content-type-options', 'nosniff')
      .send(body);
  }
}
