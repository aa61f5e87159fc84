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
  const [html, text] = await Promise.all([
    render(element),
    // Headings keep their case: html-to-text's upper-casing is not locale-aware ("BIR" for "Bir").
    render(element, {
      plainText: true,
      htmlToTextOptions: {
        selectors: ['h1', 'h2', 'h3'].map((selector) => ({
          selector,
          options: { uppercase: false },
        })),
      },
    }),
  ]);
  return { subject, html, text };
}
