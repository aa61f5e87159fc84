import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminCredits, AdminReads } from '@jewelshot/admin';
import type { AuditActor } from '@jewelshot/audit';
import { UnknownOperationError } from '@jewelshot/credit-ledger';
import { ApiErrors } from '../common/api-errors.decorator';
import { UuidParam } from '../common/uuid-param';
import { Roles } from '../common/roles.decorator';
import {
  AdjustCreditsDto,
  EntryDto,
  EntryPageDto,
  HistoryQueryDto,
  PriceDto,
  VerificationDto,
} from '../credits/credits.dto';
import { Actor } from './audit-actor.decorator';
import { RateLimit } from '../common/rate-limit.decorator';
import { LedgerSummaryDto, RangeQueryDto, SetPriceDto } from './admin.dto';

const DAY_MS = 86_400_000;

@ApiTags('admin')
@Roles('admin')
@Controller({ path: 'admin', version: '1' })
export class AdminCreditsController {
  constructor(
    private readonly credits: AdminCredits,
    private readonly reads: AdminReads,
  ) {}

  @Post('users/:userId/credits')
  @HttpCode(200)
  @ApiOperation({
    summary: "Adjust a user's credits (admin)",
    description:
      'Writes an adjustment entry carrying your id and reason, in one transaction with its audit event. ' +
      'Idempotent on `reference`: a replay returns the first entry, changes nothing, and its audit event carries ' +
      '`details.replayed: true`; the reference with another user, delta or reason is a 409. The balance may not drop below what is reserved; an admin cannot adjust their own account.',
  })
  @ApiOkResponse({ type: EntryDto, description: 'The adjustment entry' })
  @ApiErrors('VALIDATION_ERROR', 'FORBIDDEN', 'RESOURCE_NOT_FOUND', 'CONFLICT')
  async adjust(
    @Actor() actor: AuditActor,
    @UuidParam('userId') userId: string,
    @Body() body: AdjustCreditsDto,
  ): Promise<EntryDto> {
    return EntryDto.of(
      await this.credits.adjust(actor, userId, body.delta, body.reference, body.reason),
    );
  }

  @Get('users/:userId/credits/history')
  @ApiOperation({ summary: "A user's ledger history, newest first (admin)" })
  @ApiOkResponse({ type: EntryPageDto })
  @ApiErrors('VALIDATION_ERROR', 'RESOURCE_NOT_FOUND')
  async history(
    @UuidParam('userId') userId: string,
    @Query() query: HistoryQueryDto,
    @Actor() actor: AuditActor,
  ): Promise<EntryPageDto> {
    const page = await this.credits.history(userId, query.limit, query.cursor);
    await this.reads.record(actor, { resource: 'credits', id: userId, ownerId: userId });
    return { data: page.data.map((entry) => EntryDto.of(entry)), nextCursor: page.nextCursor };
  }

  @Get('prices')
  @ApiOperation({ summary: 'The price list (admin)' })
  @ApiOkResponse({ type: [PriceDto] })
  async prices(): Promise<PriceDto[]> {
    return (await this.credits.prices()).map((price) => PriceDto.of(price));
  }

  @Get('prices/:operation')
  @ApiOperation({ summary: "One operation's price (admin)" })
  @ApiOkResponse({ type: PriceDto })
  @ApiErrors('VALIDATION_ERROR')
  async price(@Param('operation') operation: string): Promise<PriceDto> {
    const price = (await this.credits.prices()).find((p) => p.operation === operation);
    if (!price) throw new UnknownOperationError(operation);
    return PriceDto.of(price);
  }

  @Put('prices/:operation')
  @ApiOperation({
    summary: "Set an operation's price (admin)",
    description:
      'Applies to holds made after it; holds already made keep the price they snapshotted.',
  })
  @ApiOkResponse({ type: PriceDto })
  @ApiErrors('VALIDATION_ERROR')
  async setPrice(
    @Actor() actor: AuditActor,
    @Param('operation') operation: string,
    @Body() body: SetPriceDto,
  ): Promise<PriceDto> {
    return PriceDto.of(await this.credits.setPrice(actor, operation, body.credits, body.reason));
  }

  @Get('ledger/verify')
  @RateLimit({ noDeadline: true })
  @ApiOperation({ summary: 'Check every ledger invariant now (admin)' })
  @ApiOkResponse({ type: VerificationDto, description: 'What was checked and what is wrong' })
  async verify(): Promise<VerificationDto> {
    const report = await this.credits.verify();
    return { ok: report.violations.length === 0, ...report };
  }

  @Get('ledger/summary')
  @RateLimit({ noDeadline: true })
  @ApiOperation({
    summary: 'Credits granted, charged, refunded and adjusted over a range (admin)',
    description: 'Default range: the last 30 days.',
  })
  @ApiOkResponse({ type: LedgerSummaryDto })
  @ApiErrors('VALIDATION_ERROR')
  async summary(@Query() query: RangeQueryDto): Promise<LedgerSummaryDto> {
    const to = query.to ?? new Date();
    const from = query.from ?? new Date(to.getTime() - 30 * DAY_MS);
    const summary = await this.credits.summary(from, to);
    return { from: from.toISOString(), to: to.toISOString(), ...summary };
  }
}
