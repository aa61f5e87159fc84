import { Controller, Get, Param, ParseIntPipe, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import { AuditLog, AuditVerifier, type AuditEvent, type AuditFilter } from '@jewelshot/audit';
import { RowScope } from '@jewelshot/platform';
import { ApiErrors } from '../common/api-errors.decorator';
import { RateLimit } from '../common/rate-limit.decorator';
import { Roles } from '../common/roles.decorator';
import {
  AuditEventDto,
  AuditFilterQueryDto,
  AuditPageDto,
  AuditQueryDto,
  AuditVerificationDto,
} from './admin.dto';

const CSV_COLUMNS = [
  'seq',
  'occurredAt',
  'action',
  'outcome',
  'actorId',
  'actorEmail',
  'targetType',
  'targetId',
  'reason',
  'before',
  'after',
  'details',
  'ip',
  'userAgent',
  'requestId',
  'hash',
] as const;

/** One CSV field: quoted when needed, and never read as a formula by a spreadsheet. */
function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvRow(event: AuditEvent): string {
  const dto = AuditEventDto.of(event) as unknown as Record<string, unknown>;
  return `${CSV_COLUMNS.map((column) => csvField(dto[column])).join(',')}\r\n`;
}

function filterOf(query: AuditFilterQueryDto): AuditFilter {
  return {
    actorId: query.actorId,
    action: query.action,
    targetId: query.targetId,
    requestId: query.requestId,
    outcome: query.outcome,
    from: query.from,
    to: query.to,
  };
}

@ApiTags('admin')
@Roles('admin')
@Controller({ path: 'admin/audit', version: '1' })
export class AdminAuditController {
  constructor(
    private readonly log: AuditLog,
    private readonly verifier: AuditVerifier,
    private readonly scope: RowScope,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Audit events, newest first, filtered (admin)' })
  @ApiOkResponse({ type: AuditPageDto })
  @ApiErrors('VALIDATION_ERROR')
  async list(@Query() query: AuditQueryDto): Promise<AuditPageDto> {
    const page = await this.log.list(filterOf(query), query.limit, query.cursor);
    return { data: page.data.map((event) => AuditEventDto.of(event)), nextCursor: page.nextCursor };
  }

  @Get('verify')
  @RateLimit({ noDeadline: true })
  @ApiOperation({
    summary: 'Walk the hash chain now (admin)',
    description:
      'Names every broken seq (the first 100): a row edited, deleted or inserted out of order, one whose seal does not hold (written or rewritten without AUDIT_CHAIN_KEY or a previous key), one sealed with an older key than an event before it, a last event not sealed with AUDIT_CHAIN_KEY, or one that differs from an anchor.',
  })
  @ApiOkResponse({ type: AuditVerificationDto })
  verify(): Promise<AuditVerificationDto> {
    return this.scope.allUsers(() => this.verifier.verify());
  }

  @Get('export')
  @RateLimit({ abandonable: true })
  @ApiOperation({
    summary: 'The events of a range as CSV, oldest first, streamed (admin)',
    description:
      'Every event the filters select, in one response: it takes no limit or cursor (either is a 400).',
  })
  @ApiOkResponse({
    description: 'CSV with a header row',
    content: { 'text/csv': { schema: { type: 'string' } } },
  })
  @ApiErrors('VALIDATION_ERROR')
  export(@Query() query: AuditFilterQueryDto, @Res() reply: FastifyReply): FastifyReply {
    const log = this.log;
    const filter = filterOf(query);
    async function* lines(): AsyncGenerator<string> {
      yield `${CSV_COLUMNS.join(',')}\r\n`;
      for await (const batch of log.inOrder(filter)) yield batch.map(csvRow).join('');
    }
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="audit-events.csv"')
      .send(Readable.from(lines()));
  }

  @Get(':seq')
  @ApiOperation({ summary: 'One audit event (admin)' })
  @ApiOkResponse({ type: AuditEventDto })
  @ApiErrors('VALIDATION_ERROR', 'RESOURCE_NOT_FOUND')
  async one(@Param('seq', ParseIntPipe) seq: number): Promise<AuditEventDto> {
    return AuditEventDto.of(await this.log.get(seq));
  }
}
