import { Body, Controller, Get, HttpCode, Post, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminReads, AdminUsers } from '@jewelshot/admin';
import type { AuditActor } from '@jewelshot/audit';
import { ApiErrors } from '../common/api-errors.decorator';
import { UuidParam } from '../common/uuid-param';
import { Roles } from '../common/roles.decorator';
import { UserDto } from '../auth/auth.dto';
import { Actor } from './audit-actor.decorator';
import { AdminJobView } from './admin-job-view';
import {
  BanResultDto,
  PriorityTierDto,
  ReasonDto,
  SessionsEndedDto,
  UserDetailDto,
  UserPageDto,
  UserSearchQueryDto,
} from './admin.dto';

const UserId = () => UuidParam('userId');

@ApiTags('admin')
@Roles('admin')
@Controller({ path: 'admin/users', version: '1' })
export class AdminUsersController {
  constructor(
    private readonly users: AdminUsers,
    private readonly jobView: AdminJobView,
    private readonly reads: AdminReads,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Search users by email fragment, status, role and creation time, newest first (admin)',
  })
  @ApiOkResponse({ type: UserPageDto, description: 'One page of users' })
  @ApiErrors('VALIDATION_ERROR')
  async list(@Query() query: UserSearchQueryDto, @Actor() actor: AuditActor): Promise<UserPageDto> {
    const filters = {
      email: query.email,
      status: query.status,
      role: query.role,
      createdFrom: query.createdFrom,
      createdTo: query.createdTo,
    };
    const page = await this.users.search(filters, query.limit, query.cursor);
    await this.reads.recordSearch(actor, { resource: 'users', filters });
    return { data: page.data.map((user) => UserDto.full(user)), nextCursor: page.nextCursor };
  }

  @Get(':userId')
  @ApiOperation({ summary: "A user's detail: balance, holds, recent jobs, open sessions (admin)" })
  @ApiOkResponse({ type: UserDetailDto })
  @ApiErrors('VALIDATION_ERROR', 'RESOURCE_NOT_FOUND')
  async detail(@UserId() userId: string, @Actor() actor: AuditActor): Promise<UserDetailDto> {
    const detail = await this.users.detail(userId);
    await this.reads.record(actor, { resource: 'user', id: userId, ownerId: userId });
    return {
      user: UserDto.full(detail.user),
      balance: detail.balance,
      holds: detail.holds.map((hold) => ({
        id: hold.id,
        operation: hold.operation,
        amount: hold.amount,
        reference: hold.reference,
        createdAt: hold.createdAt.toISOString(),
        expiresAt: hold.expiresAt.toISOString(),
      })),
      recentJobs: await this.jobView.list(detail.recentJobs),
      sessions: detail.sessions.map((session) => ({
        id: session.id,
        createdAt: session.createdAt.toISOString(),
      })),
    };
  }

  @Post(':userId/ban')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Ban a user (admin)',
    description:
      'Ends every session and cancels and refunds every queued job, in one transaction with its audit event. ' +
      'An admin cannot ban themself; the last admin cannot be banned.',
  })
  @ApiOkResponse({ type: BanResultDto })
  @ApiErrors('VALIDATION_ERROR', 'FORBIDDEN', 'RESOURCE_NOT_FOUND', 'CONFLICT')
  async ban(
    @Actor() actor: AuditActor,
    @UserId() userId: string,
    @Body() body: ReasonDto,
  ): Promise<BanResultDto> {
    const result = await this.users.ban(actor, userId, body.reason);
    return { ...result, user: UserDto.full(result.user) };
  }

  @Post(':userId/unban')
  @HttpCode(200)
  @ApiOperation({ summary: 'Lift a ban (admin)' })
  @ApiOkResponse({ type: UserDto })
  @ApiErrors('VALIDATION_ERROR', 'RESOURCE_NOT_FOUND')
  async unban(
    @Actor() actor: AuditActor,
    @UserId() userId: string,
    @Body() body: ReasonDto,
  ): Promise<UserDto> {
    return UserDto.full(await this.users.unban(actor, userId, body.reason));
  }

  @Post(':userId/sessions/end')
  @HttpCode(200)
  @ApiOperation({ summary: 'End every session of a user (admin)' })
  @ApiOkResponse({ type: SessionsEndedDto })
  @ApiErrors('VALIDATION_ERROR', 'RESOURCE_NOT_FOUND')
  async endSessions(
    @Actor() actor: AuditActor,
    @UserId() userId: string,
    @Body() body: ReasonDto,
  ): Promise<SessionsEndedDto> {
    return { sessionsEnded: await this.users.endSessions(actor, userId, body.reason) };
  }

  @Put(':userId/priority-tier')
  @ApiOperation({
    summary: "Set an account's queue priority tier (admin)",
    description: "Not your own account's (403): another admin sets an admin's tier.",
  })
  @ApiOkResponse({ type: UserDto, description: 'The user after the change' })
  @ApiErrors('VALIDATION_ERROR', 'FORBIDDEN', 'RESOURCE_NOT_FOUND')
  async setPriorityTier(
    @Actor() actor: AuditActor,
    @UserId() userId: string,
    @Body() body: PriorityTierDto,
  ): Promise<UserDto> {
    return UserDto.full(
      await this.users.setPriorityTier(actor, userId, body.priorityTier, body.reason ?? null),
    );
  }

  @Post(':userId/promote')
  @HttpCode(200)
  @ApiOperation({ summary: 'Make a user an admin (admin)' })
  @ApiOkResponse({ type: UserDto })
  @ApiErrors('VALIDATION_ERROR', 'RESOURCE_NOT_FOUND')
  async promote(
    @Actor() actor: AuditActor,
    @UserId() userId: string,
    @Body() body: ReasonDto,
  ): Promise<UserDto> {
    return UserDto.full(await this.users.setRole(actor, userId, 'admin', body.reason));
  }

  @Post(':userId/demote')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Take admin rights away (admin)',
    description: 'An admin cannot demote themself; the last admin cannot be demoted.',
  })
  @ApiOkResponse({ type: UserDto })
  @ApiErrors('VALIDATION_ERROR', 'FORBIDDEN', 'RESOURCE_NOT_FOUND', 'CONFLICT')
  async demote(
    @Actor() actor: AuditActor,
    @UserId() userId: string,
    @Body() body: ReasonDto,
  ): Promise<UserDto> {
    return UserDto.full(await this.users.setRole(actor, userId, 'user', body.reason));
  }
}
