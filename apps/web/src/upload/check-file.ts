/** What the API accepts (it re-checks by the bytes); checked before uploading to fail fast. */
export const ACCEPTED_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export const MAX_UPLOAD_BYTES = Number(import.meta.env.VITE_UPLOAD_MAX_BYTES ?? 20 * 1024 * 1024);

export type FileProblem =
  { kind: 'type' } | { kind: 'size'; size: number; limit: number } | { kind: 'empty' };

export function checkFile(
  file: { type: string; size: number },
  limit = MAX_UPLOAD_BYTES,
): FileProblem | null {
  if (!(ACCEPTED_TYPES as readonly string[]).includes(file.type)) return { kind: 'type' };
  if (file.size === 0) return { kind: 'empty' };
  if (file.size > limit) return { kind: 'size', size: file.size, limit };
  return null;
}
