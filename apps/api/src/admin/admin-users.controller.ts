import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { UsersService } from '@jewelshot/identity';
import { ApiErrors } from '../common/api-errors.decorator';
import { PageQueryDto } from '../common/pagination.dto';
import { Roles } from '../common/roles.decorator';
import { UserDto } from '../auth/auth.dto';

class UserListQueryDto extends PageQueryDto {
  @IsOptional()
  @IsUUID('4', { message: 'cursor must be the nextCursor of a previous page' })
  override cursor?: string = undefined;
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
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOperation({ summary: 'List users, newest first (admin)' })
  @ApiOkResponse({ type: UserPageDto, description: 'One page of users' })
  @ApiErrors('VALIDATION_ERROR', 'RESOURCE_NOT_FOUND')
  async list(@Query() query: UserListQueryDto): Promise<UserPageDto> {
    const page = await this.users.list(query.limit, query.cursor);
    return { data: page.data.map((user) => UserDto.full(user)), nextCursor: page.nextCursor };
  }
}
