import { Body, Controller, Get, Logger, Param, ParseUUIDPipe, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import {
  PRIORITY_TIERS,
  PrincipalService,
  UsersService,
  type Principal,
  type PriorityTier,
} from '@jewelshot/identity';
import { CurrentPrincipal } from '../common/current-principal.decorator';
import { ApiErrors } from '../common/api-errors.decorator';
import { PageQueryDto } from '../common/pagination.dto';
import { Roles } from '../common/roles.decorator';
import { UserDto } from '../auth/auth.dto';

class UserListQueryDto extends PageQueryDto {
  @IsOptional()
  @IsUUID('4', { message: 'cursor must be the nextCursor of a previous page' })
  override cursor?: string = undefined;
}

class PriorityTierDto {
  @ApiProperty({
    type: String,
    enum: PRIORITY_TIERS,
    description: "Where this account's AI jobs go in the queue",
  })
  @IsIn(PRIORITY_TIERS)
  priorityTier!: PriorityTier;
}

class UserPageDto {
  @ApiProperty({ type: [UserDto] })
  data!: UserDto[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor!: string | null;
}

@ApiTags('admin')
@Roles('admin')
@Controller({ path: 'admin/users', version: '1' })
export class AdminUsersController {
  private readonly logger = new Logger(AdminUsersController.name);

  constructor(
    private readonly users: UsersService,
    private readonly principals: PrincipalService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List users, newest first (admin)' })
  @ApiOkResponse({ type: UserPageDto, description: 'One page of users' })
  @ApiErrors('VALIDATION_ERROR', 'RESOURCE_NOT_FOUND')
  async list(@Query() query: UserListQueryDto): Promise<UserPageDto> {
    const page = await this.users.list(query.limit, query.cursor);
    return { data: page.data.map((user) => UserDto.full(user)), nextCursor: page.nextCursor };
  }

  @Put(':userId/priority-tier')
  @ApiOperation({ summary: "Set an account's queue priority tier (admin)" })
  @ApiOkResponse({ type: UserDto, description: 'The user after the change' })
  @ApiErrors('VALIDATION_ERROR', 'RESOURCE_NOT_FOUND')
  async setPriorityTier(
    @CurrentPrincipal() admin: Principal,
    @Param('userId', new ParseUUIDPipe({ version: '4' })) userId: string,
    @Body() body: PriorityTierDto,
  ): Promise<UserDto> {
    const before = await this.users.getById(userId);
    await this.users.setPriorityTier(userId, body.priorityTier);
    this.principals.forget(userId);
    // Until the audit log exists, the structured log is this change's record.
    this.logger.log(
      { actorId: admin.userId, userId, from: before.priorityTier, to: body.priorityTier },
      'admin set priority tier',
    );
    return UserDto.full(await this.users.getById(userId));
  }
}
