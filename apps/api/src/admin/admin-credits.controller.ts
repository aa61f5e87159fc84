import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { LedgerService, LedgerVerifier } from '@jewelshot/credit-ledger';
import { UsersService, type Principal } from '@jewelshot/identity';
import { RowScope } from '@jewelshot/platform';
import { ApiErrors } from '../common/api-errors.decorator';
import { CurrentPrincipal } from '../common/current-principal.decorator';
import { Roles } from '../common/roles.decorator';
import { AdjustCreditsDto, EntryDto, VerificationDto } from '../credits/credits.dto';

@ApiTags('admin')
@Roles('admin')
@Controller({ path: 'admin', version: '1' })
export class AdminCreditsController {
  constructor(
    private readonly ledger: LedgerService,
    private readonly verifier: LedgerVerifier,
    private readonly users: UsersService,
    private readonly scope: RowScope,
  ) {}

  @Post('users/:userId/credits')
  @HttpCode(200)
  @ApiOperation({
    summary: "Adjust a user's credits (admin)",
    description:
      'Writes an adjustment entry carrying your id and reason: the ledger history is the record. ' +
      'Idempotent on `reference`. The balance may not drop below what is reserved.',
  })
  @ApiOkResponse({ type: EntryDto, description: 'The adjustment entry' })
  @ApiErrors('VALIDATION_ERROR', 'RESOURCE_NOT_FOUND', 'CONFLICT')
  async adjust(
    @CurrentPrincipal() admin: Principal,
    @Param('userId', new ParseUUIDPipe({ version: '4' })) userId: string,
    @Body() body: AdjustCreditsDto,
  ): Promise<EntryDto> {
    await this.users.getById(userId);
    // An admin use case: it acts on another user's account, on purpose.
    const entry = await this.scope.allUsers(() =>
      this.ledger.adjust(userId, body.delta, `admin:${body.reference}`, body.reason, admin.userId),
    );
    return EntryDto.of(entry);
  }

  @Get('ledger/verify')
  @ApiOperation({ summary: 'Check every ledger invariant now (admin)' })
  @ApiOkResponse({ type: VerificationDto, description: 'What was checked and what is wrong' })
  async verify(): Promise<VerificationDto> {
    const report = await this.verifier.verify();
    return { ok: report.violations.length === 0, ...report };
  }
}
