import { unwrap, type components, type UploadedFile } from '@jewelshot/api-client';
import {
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  Image,
  NativeSelect,
  Progress,
  SimpleGrid,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api';
import { useConfirm } from '../components/confirm-action';
import { usePageTitle } from '../components/page-title';
import { Empty, LoadMore, Loading } from '../components/states';
import { ErrorAlert } from '../errors/error-alert';
import { blockingJobIds } from '../errors/messages';
import { formatDate, formatSize } from '../i18n/format';
import { keys, useFileUsage, useFilesPages } from '../queries';

type Kind = UploadedFile['kind'];
type StorageUsage = components['schemas']['StorageUsageDto'];

const KINDS: Kind[] = ['upload', 'output'];

const kindOf = (value: string | null): Kind | undefined => KINDS.find((kind) => kind === value);

/** How full the storage is: a bar, "X of Y", and a word when nothing more can be uploaded. */
function StorageBar({ usage }: { usage: StorageUsage }) {
  const { t, i18n } = useTranslation();
  const { usedBytes, quotaBytes } = usage;
  const percent = quotaBytes > 0 ? Math.min(100, (usedBytes / quotaBytes) * 100) : 100;
  const full = usedBytes >= quotaBytes;
  const text = t('files.usage', {
    used: formatSize(usedBytes, i18n.language),
    quota: formatSize(quotaBytes, i18n.language),
  });
  return (
    <Stack gap={4} maw={520}>
      <Group justify="space-between" gap="xs">
        <Text size="sm" fw={500}>
          {t('files.usageLabel')}
        </Text>
        <Text size="sm" data-testid="storage-usage">
          {text}
        </Text>
      </Group>
      {/* The bar's own name and value (Mantine's section would say only "n%"). */}
      <Progress.Root
        size="lg"
        role="progressbar"
        aria-label={t('files.usageLabel')}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(percent)}
        aria-valuetext={text}
      >
        <Progress.Section
          value={percent}
          withAria={false}
          color={full ? 'red.9' : percent >= 90 ? 'orange.9' : undefined}
        />
      </Progress.Root>
      {full && (
        <Text size="sm" c="red.9">
          {t('files.full')}
        </Text>
      )}
    </Stack>
  );
}

/**
 * The seller's files (uploads and their jobs' outputs), newest first, with how much of the storage
 * quota they take: delete what is no longer needed to make room for uploads (which a full
 * storage refuses with 413). The kind filter lives in the URL.
 */
export function FilesPage() {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const [search, setSearch] = useSearchParams();
  const kind = kindOf(search.get('kind'));
  const files = useFilesPages(kind);
  const usage = useFileUsage();
  const confirm = useConfirm();
  const all = files.data?.pages.flatMap((page) => page.data) ?? [];

  // One DELETE per confirmation: a second click on the dialog's button while it fades out, or
  // on another file's, waits until this one has settled.
  const deleting = useRef(false);
  const remove = useMutation({
    mutationFn: (file: UploadedFile) =>
      unwrap(api.client.DELETE('/v1/files/{id}', { params: { path: { id: file.id } } })),
    // Whatever the answer (deleted, or already gone: 404), the list and the storage use are
    // read again; a deleted output also leaves its job's view and the gallery.
    onSettled: async (_data, error, file) => {
      try {
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: keys.files }),
          !error && file.kind === 'output'
            ? queryClient.invalidateQueries({ queryKey: keys.jobs })
            : undefined,
        ]);
      } finally {
        deleting.current = false;
      }
    },
  });
  const askDelete = (file: UploadedFile) =>
    confirm.ask({
      title: t(file.kind === 'upload' ? 'files.deleteUploadTitle' : 'files.deleteOutputTitle'),
      message: t(
        file.kind === 'upload' ? 'files.deleteUploadWarning' : 'files.deleteOutputWarning',
        { size: formatSize(file.bytes, i18n.language) },
      ),
      confirmLabel: t('files.delete'),
      onConfirm: () => {
        if (deleting.current) return;
        deleting.current = true;
        remove.mutate(file);
      },
    });

  // A refused delete shows on its file's card; once that file is no longer listed (a 404), above.
  const failed = remove.error ? remove.variables : undefined;
  const failedListed = failed !== undefined && all.some((file) => file.id === failed.id);
  const blocking = blockingJobIds(remove.error);
  const deleteError = (
    <ErrorAlert error={remove.error}>
      {blocking.length > 0 && (
        <Stack gap={2} mt={4}>
          {blocking.map((id, index) => (
            <Anchor key={id} component={Link} to={`/jobs/${id}`} size="sm">
              {t('files.inUseJob', { count: blocking.length, n: index + 1 })}
            </Anchor>
          ))}
        </Stack>
      )}
    </ErrorAlert>
  );

  usePageTitle(t('files.title'));
  return (
    <Stack>
      <Title order={1}>{t('files.title')}</Title>
      <Text size="sm" maw={720}>
        {t('files.intro')}
      </Text>
      {usage.data && <StorageBar usage={usage.data} />}
      <ErrorAlert error={usage.error} />
      <NativeSelect
        label={t('files.filter')}
        maw={240}
        value={kind ?? ''}
        onChange={(event) => {
          const next = event.currentTarget.value;
          remove.reset();
          setSearch(next ? { kind: next } : {}, { replace: true });
        }}
        data={[
          { value: '', label: t('files.all') },
          { value: 'upload', label: t('files.uploads') },
          { value: 'output', label: t('files.outputs') },
        ]}
      />
      {failed && !failedListed && deleteError}
      {files.isPending ? (
        <Loading />
      ) : files.error ? (
        <ErrorAlert error={files.error} />
      ) : all.length === 0 ? (
        <Empty>
          {kind === 'upload'
            ? t('files.emptyUploads')
            : kind === 'output'
              ? t('files.emptyOutputs')
              : t('files.empty')}
        </Empty>
      ) : (
        <SimpleGrid cols={{ base: 1, xs: 2, md: 3, lg: 4 }}>
          {all.map((file) => {
            const when = formatDate(file.createdAt, i18n.language);
            const item = t(file.kind === 'upload' ? 'files.uploadOf' : 'files.outputOf', { when });
            return (
              <Card key={file.id} withBorder padding="sm">
                <Card.Section>
                  <Image
                    src={file.url}
                    alt={t(file.kind === 'upload' ? 'files.thumbUpload' : 'files.thumbOutput', {
                      when,
                    })}
                    h={180}
                    fit="contain"
                    loading="lazy"
                  />
                </Card.Section>
                <Stack gap={6} mt="sm">
                  <Group gap="xs" justify="space-between">
                    <Badge variant="default">
                      {t(file.kind === 'upload' ? 'files.kindUpload' : 'files.kindOutput')}
                    </Badge>
                    <Text size="sm">
                      {t('files.size', {
                        width: file.width,
                        height: file.height,
                        size: formatSize(file.bytes, i18n.language),
                      })}
                    </Text>
                  </Group>
                  <Text size="sm" c="dimmed">
                    {when}
                  </Text>
                  {file.jobId && (
                    <Anchor component={Link} to={`/jobs/${file.jobId}`} size="sm">
                      {t('files.openJob')}
                    </Anchor>
                  )}
                  {failed?.id === file.id && deleteError}
                  <Group>
                    <Button
                      size="xs"
                      color="red"
                      variant="outline"
                      loading={remove.isPending && remove.variables.id === file.id}
                      disabled={remove.isPending}
                      aria-label={t('files.deleteNamed', { item })}
                      onClick={() => askDelete(file)}
                    >
                      {t('files.delete')}
                    </Button>
                  </Group>
                </Stack>
              </Card>
            );
          })}
        </SimpleGrid>
      )}
      <LoadMore list={files} />
      {confirm.dialog}
    </Stack>
  );
}
