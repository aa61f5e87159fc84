import { isTerminal, type Job } from '@jewelshot/api-client';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api } from '../api';
import { keys, useInvalidateMoney } from '../queries';

/** Live status of a job over its event stream, written into the query cache as it arrives. */
export function useJobStream(job: Job | undefined): {
  reconnecting: boolean;
  streamError: unknown;
} {
  const queryClient = useQueryClient();
  const invalidateMoney = useInvalidateMoney();
  const [reconnecting, setReconnecting] = useState(false);
  const [streamError, setStreamError] = useState<unknown>(null);
  const id = job?.id;
  const live = job !== undefined && !isTerminal(job.status);

  useEffect(() => {
    if (!id || !live) return;
    return api.streamJob(id, {
      onJob: (next) => {
        setReconnecting(false);
        queryClient.setQueryData(keys.job(id), next);
        if (isTerminal(next.status)) invalidateMoney();
      },
      onReconnecting: () => setReconnecting(true),
      onEnd: (reason, error) => {
        setReconnecting(false);
        if (reason === 'error') setStreamError(error);
        // A terminal status came with its final job; anything else: read the job once more.
        if (reason !== 'terminal') void queryClient.invalidateQueries({ queryKey: keys.job(id) });
      },
    });
  }, [id, live]);

  return { reconnecting, streamError };
}
