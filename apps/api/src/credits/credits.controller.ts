import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { LedgerService } from '@jewelshot/credit-ledger';
import type { Principal } from '@jewelshot/identity';
import { RowScope } from '@jewelshot/platform';
import { ApiErrors } from '../common/api-errors.decorator';
import { CurrentPrincipal } from '../common/current-principal.decorator';
import { Public } from '../common/public.decorator';
import { RequireScopes } from '../common/scopes.decorator';
import {
  BalanceDto,
  EntryDto,
  EntryPageDto,
  HistoryQueryDto,
  HoldDto,
  HoldPageDto,
  HoldQueryDto,
  PriceDto,
} from './credits.dto';

@ApiTags('credits')
@Controller({ path: 'credits', version: '1' })
export class CreditsController {
  constructor(
    private readonly ledger: LedgerService,
    private readonly scope: RowScope,
  ) {}

  @Get('balance')
  @RequireScopes('credits:read')
  @ApiOperation({ summary: 'Your credits: balance, reserved for running operations, available' })
  @ApiOkResponse({ type: BalanceDto, description: 'The balance' })
  balance(@CurrentPrincipal() principal: Principal): Promise<BalanceDto> {
    return this.scope.run(principal.userId, () => this.ledger.balance(principal.userId));
  }

  @Get('history')
  @RequireScopes('credits:read')
  @ApiOperation({ summary: 'Your credit history, newest first (cursor-paginated)' })
  @ApiOkResponse({ type: EntryPageDto, description: 'One page of entries' })
  @ApiErrors('VALIDATION_ERROR')
  async history(
    @CurrentPrincipal() principal: Principal,
    @Query() query: HistoryQueryDto,
  ): Promise<EntryPageDto> {
    const page = await this.scope.run(principal.userId, () =>
      this.ledger.history(principal.userId, query.limit, query.cursor),
    );
    return { data: page.data.map((entry) => EntryDto.of(entry)), nextCursor: page.nextCursor };
  }

  @Get('holds')
  @RequireScopes('credits:read')
  @ApiOperation({
    summary: 'Your holds, newest first: what each operation reserved and how it ended',
    description:
      'A refund releases a hold without changing the balance, so refunds show here (status `voided`), not in the history. Cursor-paginated.',
  })
  @ApiOkResponse({ type: HoldPageDto, description: 'One page of holds' })
  @ApiErrors('VALIDATION_ERROR')
  async holds(
    @CurrentPrincipal() principal: Principal,
    @Query() query: HoldQueryDto,
  ): Promise<HoldPageDto> {
    const page = await this.scope.run(principal.userId, () =>
      this.ledger.holdHistory(principal.userId, query.limit, query.cursor),
    );
    return { data: page.data.map((hold) => HoldDto.of(hold)), nextCursor: page.nextCursor };
  }

  @Get('prices')
  @Public()
  @ApiOperation({ summary: 'What each AI operation costs, in credits' })
  @ApiOkResponse({ type: [PriceDto], description: 'The price list' })
  async prices(): Promise<PriceDto[]> {
    return (await this.ledger.prices()).map((price) => PriceDto.of(price));
  }
}
