import {
  BeforeApplicationShutdown,
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { JobSignals, JobsService, TERMINAL_STATUSES } from '@jewelshot/ai-jobs';
import { PrincipalService, type Principal } from '@jewelshot/identity';
import { RowScope } from '@jewelshot/platform';
import { API_CONFIG, type ApiConfig } from '../api.config';
import { ApiErrors } from '../common/api-errors.decorator';
import { submitDeadlineOf } from '../http/request-deadline';
import { CurrentPrincipal } from '../common/current-principal.decorator';
import { RateLimit } from '../common/rate-limit.decorator';
import { RequireScopes } from '../common/scopes.decorator';
import { whenClosed } from '../http/when-closed';
import { JobDto, JobListQueryDto, JobPageDto, SubmitJobDto } from './ai.dto';
import { JobView } from './job-view.service';
import { OWN_ONLY, readAsCaller, readsAnyUser } from '../common/seller-reach';
import { AdminReads } from '@jewelshot/admin';
import type { AuditActor } from '@jewelshot/audit';
import { Actor } from '../admin/audit-actor.decorator';

const SSE_POLL_MS = 2000;
const SSE_MAX_MS = 30 * 60_000;
/** The shortest interval between two checks that a stream's session is still signed in. */
const SSE_RECHECK_MIN_MS = 250;

@ApiTags('ai')
@Controller({ path: 'ai/jobs', version: '1' })
export class JobsController implements BeforeApplicationShutdown {
  /** How to end each event stream open now (see beforeApplicationShutdown). */
  private readonly openStreams = new Set<() => void>();
  private stopping = false;

  constructor(
    private readonly jobs: JobsService,
    private readonly signals: JobSignals,
    private readonly view: JobView,
    private readonly scope: RowScope,
    private readonly principals: PrincipalService,
    private readonly reads: AdminReads,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  /**
   * The job as the caller may see it, read in the caller's row scope (a transaction of its own).
   * With `actor`, an admin's read of another user's job is put on the audit record first.
   */
  private visibleJob(id: string, principal: Principal, actor?: AuditActor): Promise<JobDto> {
    return readAsCaller(
      { scope: this.scope, reads: this.reads },
      principal,
      actor,
      'job',
      async (anyUser) => {
        const job = await this.jobs.getVisible(id, principal.userId, anyUser);
        return { view: await this.view.job(job), ownerId: job.userId };
      },
    );
  }

  @Post()
  @HttpCode(202)
  @RequireScopes('jobs:write')
  @RateLimit({ rateLimitPolicy: 'submit', concurrencyPolicy: 'expensive', submitDeadline: true })
  @ApiOperation({
    summary: 'Submit an AI job',
    description:
      'Holds the price (price × numImages for generate) and queues the job; the worker runs it and charges on success ' +
      'or refunds on failure. With an Idempotency-Key (kept 24 h): the same key and body return the first response again ' +
      'with no second hold; the same key with another body is 422 IDEMPOTENCY_KEY_REUSED; while the first is still in ' +
      'flight, 409.',
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: '1-255 printable ASCII characters, unique per request',
  })
  @ApiAcceptedResponse({ type: JobDto, description: 'Queued' })
  @ApiErrors('VALIDATION_ERROR', 'INSUFFICIENT_CREDITS', 'CONFLICT', 'IDEMPOTENCY_KEY_REUSED')
  async submit(
    @CurrentPrincipal() principal: Principal,
    @Body() body: SubmitJobDto,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<JobDto> {
    const { job, replayed } = await this.jobs.submit(principal.userId, body, {
      idempotencyKey: key,
      deadline: submitDeadlineOf(reply.request),
    });
    if (replayed) void reply.header('idempotent-replayed', 'true');
    return this.view.job(job);
  }

  @Get()
  @RequireScopes('jobs:read')
  @ApiOperation({ summary: 'Your jobs, newest first (cursor-paginated)' })
  @ApiOkResponse({ type: JobPageDto, description: 'One page' })
  @ApiErrors('VALIDATION_ERROR')
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: JobListQueryDto,
  ): Promise<JobPageDto> {
    return this.scope.run(principal.userId, async () => {
      const page = await this.jobs.list(principal.userId, query.limit, query.status, query.cursor);
      return { data: await this.view.jobs(page.data), nextCursor: page.nextCursor };
    });
  }

  @Get(':id')
  @RequireScopes('jobs:read')
  @ApiOperation({ summary: 'One job, with its outputs once it succeeded' })
  @ApiOkResponse({ type: JobDto, description: 'The job' })
  @ApiErrors('RESOURCE_NOT_FOUND')
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Actor() actor: AuditActor,
  ): Promise<JobDto> {
    return this.visibleJob(id, principal, actor);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @RequireScopes('jobs:write')
  @ApiOperation({
    summary: 'Cancel a job',
    description:
      'Queued or running: canceled and refunded at once; the answer is the settled job (a running one is stopped at ' +
      'the provider and never charged). Already finished: 409.',
  })
  @ApiOkResponse({ type: JobDto, description: 'The job, canceled' })
  @ApiErrors('RESOURCE_NOT_FOUND', 'CONFLICT')
  async cancel(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<JobDto> {
    return this.view.job(await this.jobs.cancel(id, principal.userId, OWN_ONLY));
  }

  @Get(':id/events')
  @RequireScopes('jobs:read')
  // At most SSE_MAX_OPEN_PER_USER streams open at once per caller, across API processes.
  @RateLimit({ concurrencyPolicy: 'sse', abandonable: true })
  @ApiOperation({
    summary: 'Server-Sent Events of the job status until it ends',
    description:
      'Each event is `event: status` with the job as JSON; the stream closes after a terminal status, or with ' +
      '`event: end` (`{"reason":"SESSION_ENDED"}`) within USER_STATUS_CACHE_MS of a logout, ban or password change. ' +
      "A stream that closes with neither (the API process stopping, a dropped connection, an admin watching another user's job demoted since) is to be opened again: its first event is the status then, or 404.",
  })
  @ApiOkResponse({
    description: 'An event stream',
    content: { 'text/event-stream': { schema: { type: 'string' } } },
  })
  @ApiErrors('RESOURCE_NOT_FOUND', 'RATE_LIMIT_EXCEEDED')
  async events(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Res() reply: FastifyReply,
    @Actor() actor: AuditActor,
  ): Promise<void> {
    // Each read is a short scoped transaction of its own: none stays open while the stream does.
    const first = await this.visibleJob(id, principal, actor);
    reply.hijack();
    const headers: Record<string, string | number | string[]> = {};
    for (const [name, value] of Object.entries(reply.getHeaders()))
      if (value !== undefined) headers[name] = value;
    reply.raw.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    let lastSent = '';
    let closed = false;
    const send = (dto: JobDto) => {
      const fingerprint = `${dto.status}:${dto.attempts}:${dto.cancelRequested}`;
      if (fingerprint !== lastSent) {
        lastSent = fingerprint;
        reply.raw.write(`event: status\nid: ${Date.now()}\ndata: ${JSON.stringify(dto)}\n\n`);
      }
      return TERMINAL_STATUSES.includes(dto.status);
    };
    let stop: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      stop = resolve;
    });
    // Who is watching, as last read: a role taken away narrows what the stream may show.
    let watcher = principal;
    const refresh = async () => {
      if (closed) return;
      try {
        if (send(await this.visibleJob(id, watcher))) stop();
      } catch {
        stop();
      }
    };
    const unsubscribe = this.signals.onEvent((event) => {
      if (event.jobId === id) void refresh();
    });
    // The pub/sub message is a hint; a slow poll makes sure no change is missed. Each poll also
    // writes an SSE comment so the stream is never idle: the server closes idle sockets.
    const poll = setInterval(() => {
      if (!closed) reply.raw.write(':\n\n');
      void refresh();
    }, SSE_POLL_MS);
    const limit = setTimeout(() => stop(), SSE_MAX_MS);
    // The guard checked the caller once, at the start; a stream outlives that. Asked again
    // (from the database) at half the status cache's age, the stream ends within
    // USER_STATUS_CACHE_MS of a logout, a ban or a password change that ended this session,
    // and an admin demoted since sees another user's job no more (the stream closes, as the
    // job is then not found for them).
    const recheck = setInterval(
      () => {
        void this.principals.current(principal).then(
          (now) => {
            if (closed) return;
            if (now === null) {
              reply.raw.write(
                `event: end\ndata: ${JSON.stringify({ reason: 'SESSION_ENDED' })}\n\n`,
              );
              stop();
              return;
            }
            if (readsAnyUser(watcher) && !readsAnyUser(now)) {
              watcher = now;
              void refresh();
            }
          },
          () => undefined, // a database hiccup is not a logout; the next check decides
        );
      },
      Math.max(SSE_RECHECK_MIN_MS, Math.floor(this.config.USER_STATUS_CACHE_MS / 2)),
    );
    // A client gone before now (during the first read) ends the stream at once.
    whenClosed(reply.raw, () => {
      closed = true;
      stop();
    });
    this.openStreams.add(stop);
    if (this.stopping) stop(); // opened while the API was stopping
    // Read once more now that we listen: a change between the first read and the subscription
    // would otherwise wait for the next poll.
    if (send(first)) stop();
    else void refresh();
    await done;
    closed = true;
    this.openStreams.delete(stop);
    unsubscribe();
    clearInterval(poll);
    clearTimeout(limit);
    clearInterval(recheck);
    reply.raw.end();
  }

  /**
   * A stopping API ends its event streams (before the HTTP server closes, which would otherwise
   * wait for each, up to SSE_MAX_MS). They end plainly, with no `end` event, which would tell a
   * client to stop watching: a client reconnects, reaching another API process, and its first
   * event there is the job's status then.
   */
  beforeApplicationShutdown(): void {
    this.stopping = true;
    for (const stop of this.openStreams) stop();
  }
}
