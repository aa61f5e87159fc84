import { Alert, Button, Code, CopyButton, Group, Stack, Text } from '@mantine/core';

export interface ShownOnceProps {
  /** The secret: the API returns it this once and never again. */
  value: string;
  title: string;
  hint: string;
  copyLabel: string;
  copiedLabel: string;
  doneLabel: string;
  onDone: () => void;
  color?: string;
  testId?: string;
}

/** A secret the API shows once (an API key, a signing secret): the value, a copy button, done. */
export function ShownOnce({
  value,
  title,
  hint,
  copyLabel,
  copiedLabel,
  doneLabel,
  onDone,
  color = 'green',
  testId,
}: ShownOnceProps) {
  return (
    <Alert color={color} role="status" title={title}>
      <Stack gap="xs">
        <Text size="sm">{hint}</Text>
        <Code block data-testid={testId}>
          {value}
        </Code>
        <Group>
          <CopyButton value={value}>
            {({ copied, copy }) => (
              <Button size="xs" onClick={copy} color={copied ? 'teal' : undefined}>
                {copied ? copiedLabel : copyLabel}
              </Button>
            )}
          </CopyButton>
          <Button size="xs" variant="default" onClick={onDone}>
            {doneLabel}
          </Button>
        </Group>
      </Stack>
    </Alert>
  );
}
