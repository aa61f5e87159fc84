import type { Operation } from '@jewelshot/api-client';
import { NumberInput, SegmentedControl, Select, Stack, Text, Textarea } from '@mantine/core';
import { useTranslation } from 'react-i18next';

export interface ParamsState {
  prompt: string;
  numImages: number;
  aspectRatio: string;
  scale: '2' | '4';
}

export const INITIAL_PARAMS: ParamsState = {
  prompt: '',
  numImages: 1,
  aspectRatio: '1:1',
  scale: '2',
};

export const NEEDS_IMAGE: Record<Operation, boolean> = {
  generate: false,
  edit: true,
  'remove-background': true,
  upscale: true,
};

/** The params object the API validates for each operation (see SubmitJobDto in openapi.yaml). */
export function buildParams(
  operation: Operation,
  state: ParamsState,
  inputImageId: string | null,
): Record<string, unknown> {
  switch (operation) {
    case 'generate':
      return { prompt: state.prompt, numImages: state.numImages, aspectRatio: state.aspectRatio };
    case 'edit':
      return { inputImageId, prompt: state.prompt };
    case 'remove-background':
      return { inputImageId };
    case 'upscale':
      return { inputImageId, scale: Number(state.scale) };
  }
}

/** Units billed: generate costs price × numImages, everything else one unit. */
export function unitsOf(operation: Operation, state: ParamsState): number {
  return operation === 'generate' ? state.numImages : 1;
}

export function OperationParams({
  operation,
  state,
  onChange,
  fieldErrors,
}: {
  operation: Operation;
  state: ParamsState;
  onChange: (next: ParamsState) => void;
  fieldErrors: Record<string, string>;
}) {
  const { t } = useTranslation();
  const err = (name: string) => fieldErrors[name] ?? fieldErrors[`params.${name}`];
  return (
    <Stack>
      {(operation === 'generate' || operation === 'edit') && (
        <Textarea
          label={t('shot.prompt')}
          description={t('shot.promptHint')}
          required
          minRows={3}
          maxLength={2000}
          value={state.prompt}
          onChange={(event) => onChange({ ...state, prompt: event.currentTarget.value })}
          error={err('prompt')}
        />
      )}
      {operation === 'generate' && (
        <>
          <NumberInput
            label={t('shot.numImages')}
            min={1}
            max={4}
            value={state.numImages}
            onChange={(value) =>
              onChange({ ...state, numImages: Math.min(4, Math.max(1, Number(value) || 1)) })
            }
            error={err('numImages')}
          />
          <Select
            label={t('shot.aspectRatio')}
            data={['1:1', '4:3', '3:4', '16:9', '9:16']}
            value={state.aspectRatio}
            allowDeselect={false}
            onChange={(value) => onChange({ ...state, aspectRatio: value ?? '1:1' })}
            error={err('aspectRatio')}
          />
        </>
      )}
      {operation === 'upscale' && (
        <div>
          <Text size="sm" fw={500} id="scale-label">
            {t('shot.scale')}
          </Text>
          <SegmentedControl
            aria-labelledby="scale-label"
            data={[
              { value: '2', label: '2×' },
              { value: '4', label: '4×' },
            ]}
            value={state.scale}
            onChange={(value) => onChange({ ...state, scale: value === '4' ? '4' : '2' })}
          />
          {err('scale') && (
            <Text c="red" size="sm">
              {err('scale')}
            </Text>
          )}
        </div>
      )}
    </Stack>
  );
}
