// An integrator's Node code, compiled (never run) by test/node-typecheck.test.ts with this
// folder's tsconfig: strict, NodeNext, no DOM lib. It imports the package by its name, as an
// integration would.
import { ApiError, createApi, multipartBody, unwrap, type Job } from '@jewelshot/api-client';

export async function integrate(baseUrl: string, apiKey: string, photo: Blob): Promise<Job> {
  // A person signs in: `refreshTokenDelivery` has a default (body), so it may be left out.
  const person = createApi({ baseUrl });
  const auth = await unwrap(
    person.client.POST('/v1/auth/login', { body: { email: 'you@example.com', password: 'pw' } }),
  );
  person.session.signIn(auth);
  const accessToken: string = auth.accessToken;

  // Everything else with the key: `description` of a webhook has a default too.
  const api = createApi({ baseUrl, apiKey });
  const endpoint = await unwrap(
    api.client.POST('/v1/webhooks', {
      body: { url: 'https://hooks.example.com/jewelshot', events: ['job.succeeded'] },
    }),
  );
  // What an answer always carries stays required.
  const secret: string = endpoint.secret;
  const description: string = endpoint.description;

  // `format: binary` is a Blob, sent as multipart form data.
  const file = await unwrap(
    api.client.POST('/v1/uploads', { body: { file: photo }, bodySerializer: multipartBody }),
  );
  await api.client.POST('/v1/uploads', {
    // @ts-expect-error a string is not the file's bytes
    body: { file: 'ring.jpg' },
    bodySerializer: multipartBody,
  });
  const again = await api.upload(photo, undefined, undefined, 'ring-42');
  const fileId: string = again.id === file.id ? file.id : again.id;

  const job = await unwrap(
    api.client.POST('/v1/ai/jobs', {
      params: { header: { 'Idempotency-Key': `job-${fileId}` } },
      body: { operation: 'remove-background', params: { inputImageId: fileId } },
    }),
  ).catch((error: unknown) => {
    // An error's details are typed: how many credits a refused submit needed, and had.
    if (error instanceof ApiError && error.code === 'INSUFFICIENT_CREDITS') {
      const needed: number | undefined = error.details?.needed;
      const available: number | undefined = error.details?.available;
      throw new Error(`needs ${needed ?? '?'} credits, has ${available ?? '?'}`);
    }
    throw error;
  });
  const bytes: Blob = await new Response(photo).blob();
  void [accessToken, secret, description, bytes];

  return new Promise<Job>((resolve, reject) => {
    const stop = api.streamJob(job.id, {
      onJob: (next) => {
        if (next.status === 'succeeded') resolve(next);
      },
      onEnd: (reason, error) => {
        if (reason !== 'terminal') reject(error instanceof Error ? error : new Error(reason));
        stop();
      },
    });
  });
}
