import { render } from '@react-email/components';
import { TEMPLATES, type TemplateContext } from './templates';
import type { EmailTemplate, TemplateData } from './template-names';

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

/** Renders a template to its subject, HTML and plain text, from the one element. */
export async function renderEmail<T extends EmailTemplate>(
  template: T,
  data: TemplateData[T],
  context: TemplateContext,
): Promise<RenderedEmail> {
  const { subject, element } = TEMPLATES[template](data, context);
  const [html, text] = await Promise.all([render(element), render(element, { plainText: true })]);
  return { subject, html, text };
}
