import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { IdempotencyService, JobSignals, JobsService, TERMINAL_STATUSES, type AiJob } from '@jewelshot/ai-jobs';
import type { Principal } from '@jewelshot/identity';
import { DomainError } from '@jewelshot/platform';
import { ApiErrors } from '../common/api-errors.decorator';
import { CurrentPrincipal } from '../common/current-principal.decorator';
import { JobDto, JobListQueryDto, JobPageDto, SubmitJobDto } from './ai.dto';
import { JobView } from './job-view.service';

const SSE_POLL_MS = 2000;
const SSE_MAX_MS = 30 * 60_000;
/** Open event streams one user may hold on one API instance. */
const SSE_PER_USER = 10;

@ApiTags('ai')
@Controller({ path: 'ai/jobs', version: '1' })
export class JobsController {
  private readonly openStreams = new Map<string, number>();

  constructor(
    private readonly jobs: JobsService,
    private readonly idempotency: IdempotencyService,
    private readonly signals: JobSignals,
    private readonly view: JobView,
  ) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Submit an AI job',
    description:
      'Holds the price (price × numImages for generate) and queues the job; the worker runs it and charges on success ' +
      'or refunds on failure. With an Idempotency-Key (kept 24 h): the same key and body return the first response again ' +
      'with no second hold; the same key with another body is 422 IDEMPOTENCY_KEY_REUSED; while the first is still in ' +
      'flight, 409.',
  })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: '1-255 printable ASCII characters, unique per request' })
  @ApiAcceptedResponse({ type: JobDto, description: 'Queued' })
  @ApiErrors('VALIDATION_ERROR', 'INSUFFICIENT_CREDITS', 'CONFLICT', 'IDEMPOTENCY_KEY_REUSED')
  async submit(
    @CurrentPrincipal() principal: Principal,
    @Body() body: SubmitJobDto,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    if (key === undefined) return this.view.job(await this.jobs.submit(principal.userId, body.operation, body.params));
    const start = await this.idempotency.begin(principal.userId, key, body);
    if (start.kind === 'replay') {
      void reply.status(start.status).header('idempotent-replayed', 'true');
      return start.body;
    }
    if (start.kind === 'replay-job') {
      void reply.header('idempotent-replayed', 'true');
      return this.view.job(await this.jobs.getVisible(start.jobId, principal.userId));
    }
    try {
      const job = await this.jobs.submit(principal.userId, body.operation, body.params, (created) =>
        this.idempotency.attachJob(principal.userId, key, created.id),
      );
      const dto = await this.view.job(job);
      await this.idempotency.complete(principal.userId, key, 202, dto);
      return dto;
    } catch (error) {
      await this.idempotency.abandon(principal.userId, key);
      throw error;
    }
  }

  @Get()
  @ApiOperation({ summary: 'Your jobs, newest first (cursor-paginated)' })
  @ApiOkResponse({ type: JobPageDto, description: 'One page' })
  @ApiErrors('VALIDATION_ERROR')
  async list(@CurrentPrincipal() principal: Principal, @Query() query: JobListQueryDto): Promise<JobPageDto> {
    const page = await this.jobs.list(principal.userId, query.limit, query.status, query.cursor);
    return { data: await this.view.jobs(page.data), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One job, with its outputs once it succeeded' })
  @ApiOkResponse({ type: JobDto, description: 'The job' })
  @ApiErrors('RESOURCE_NOT_FOUND')
  async get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<JobDto> {
    return this.view.job(await this.jobs.getVisible(id, principal.userId, principal.role === 'admin'));
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Cancel a job',
    description:
      'Queued: canceled and refunded at once. Running: canceled at the provider and refunded, unless the provider had ' +
      'already finished (then it succeeds and is charged). Finished: 409.',
  })
  @ApiOkResponse({ type: JobDto, description: 'The job after the request' })
  @ApiErrors('RESOURCE_NOT_FOUND', 'CONFLICT')
  async cancel(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<JobDto> {
    return this.view.job(await this.jobs.cancel(id, principal.userId, principal.role === 'admin'));
  }

  @Get(':id/events')
  @ApiOperation({
    summary: 'Server-Sent Events of the job status until it ends',
    description: 'Each event is `event: status` with the job as JSON; the stream closes after a terminal status.',
  })
  @ApiOkResponse({ description: 'An event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } })
  @ApiErrors('RESOURCE_NOT_FOUND', 'RATE_LIMIT_EXCEEDED')
  async events(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Res() reply: FastifyReply): Promise<void> {
    const isAdmin = principal.role === 'admin';
    let job: AiJob = await this.jobs.getVisible(id, principal.userId, isAdmin);
    const open = this.openStreams.get(principal.userId) ?? 0;
    if (open >= SSE_PER_USER) {
      throw new DomainError('RATE_LIMIT_EXCEEDED', `At most ${SSE_PER_USER} event streams may be open at once`, { limit: SSE_PER_USER });
    }
    this.openStreams.set(principal.userId, open + 1);
    reply.hijack();
    const headers: Record<string, string | number | string[]> = {};
    for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) headers[name] = value;
    reply.raw.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    let lastSent = '';
    let closed = false;
    const send = async () => {
      const dto = await this.view.job(job);
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
    const refresh = async () => {
      if (closed) return;
      try {
        job = await this.jobs.getVisible(id, principal.userId, isAdmin);
        if (await send()) stop();
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
    reply.raw.on('close', () => {
      closed = true;
      stop();
    });
    if (await send()) stop();
    await done;
    closed = true;
    unsubscribe();
    clearInterval(poll);
    clearTimeout(limit);
    const remaining = (this.openStreams.get(principal.userId) ?? 1) - 1;
    if (remaining > 0) this.openStreams.set(principal.userId, remaining);
    else this.openStreams.delete(principal.userId);
    reply.raw.end();
  }
}
