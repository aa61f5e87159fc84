import { Button, FileButton, Group, Paper, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatBytes } from '../i18n/format';
import { ACCEPTED_TYPES, checkFile, type FileProblem } from './check-file';

export function useProblemText() {
  const { t, i18n } = useTranslation();
  return (problem: FileProblem) =>
    problem.kind === 'type'
      ? t('upload.type')
      : problem.kind === 'empty'
        ? t('upload.empty')
        : t('upload.size', {
            size: formatBytes(problem.size, i18n.language),
            limit: formatBytes(problem.limit, i18n.language),
          });
}

/**
 * Pick with a real button (keyboard) or drop onto the area (mouse); files are checked for type and
 * size before anything is uploaded.
 */
export function PhotoPicker({
  multiple = false,
  label,
  hint,
  onFiles,
  disabled,
}: {
  multiple?: boolean;
  label: string;
  hint: string;
  onFiles: (files: File[]) => void;
  disabled?: boolean;
}) {
  const problemText = useProblemText();
  const [problems, setProblems] = useState<string[]>([]);
  const [over, setOver] = useState(false);

  const accept = (list: File[]) => {
    const good: File[] = [];
    const bad: string[] = [];
    for (const file of list) {
      const problem = checkFile(file);
      if (problem) bad.push(`${file.name}: ${problemText(problem)}`);
      else good.push(file);
    }
    setProblems(bad);
    if (good.length > 0) onFiles(multiple ? good : good.slice(0, 1));
  };

  return (
    <Paper
      withBorder
      p="lg"
      style={{
        borderStyle: 'dashed',
        background: over ? 'var(--mantine-color-blue-0)' : undefined,
      }}
      onDragOver={(event) => {
        event.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(event) => {
        event.preventDefault();
        setOver(false);
        if (!disabled) accept(Array.from(event.dataTransfer.files));
      }}
    >
      <Stack gap="xs" align="center">
        <Text>{hint}</Text>
        <Group>
          <FileButton
            multiple={multiple}
            accept={ACCEPTED_TYPES.join(',')}
            onChange={(value: File | File[] | null) =>
              accept(value === null ? [] : Array.isArray(value) ? value : [value])
            }
            disabled={disabled}
          >
            {(props) => (
              <Button {...props} variant="light" disabled={disabled}>
                {label}
              </Button>
            )}
          </FileButton>
        </Group>
        {problems.map((problem) => (
          <Text key={problem} c="red" size="sm" role="alert">
            {problem}
          </Text>
        ))}
      </Stack>
    </Paper>
  );
}
