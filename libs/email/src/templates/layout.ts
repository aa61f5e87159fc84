import { createElement as h, type ReactElement } from 'react';
import {
  Body,
  Button,
  Container,
  Head,
  Heading,
  Hr,
  Html,
  Link,
  Preview,
  Section,
  Text,
} from '@react-email/components';
import type { EmailLanguage } from './template-names';

export interface LayoutProps {
  language: EmailLanguage;
  preview: string;
  heading: string;
  paragraphs: string[];
  action?: { label: string; href: string };
  /** The footer's unsubscribe line (non-security mail only). */
  unsubscribe?: { label: string; href: string };
  footer: string;
}

const main = { backgroundColor: '#f6f5f2', fontFamily: 'Helvetica, Arial, sans-serif' };
const container = {
  backgroundColor: '#ffffff',
  margin: '24px auto',
  padding: '32px',
  maxWidth: '560px',
};
const button = {
  backgroundColor: '#5b3a8c',
  color: '#ffffff',
  padding: '12px 20px',
  borderRadius: '6px',
  textDecoration: 'none',
};
const muted = { color: '#5f5f5f', fontSize: '12px' };

/** The one frame of every message: heading, paragraphs, an optional button, the footer. */
export function layout(props: LayoutProps): ReactElement {
  return h(
    Html,
    { lang: props.language },
    h(Head, null),
    h(Preview, null, props.preview),
    h(
      Body,
      { style: main },
      h(
        Container,
        { style: container },
        h(Heading, { as: 'h1' }, props.heading),
        ...props.paragraphs.map((text, index) => h(Text, { key: `p${index}` }, text)),
        props.action
          ? h(
              Section,
              null,
              h(Button, { href: props.action.href, style: button }, props.action.label),
              h(Text, { style: muted }, props.action.href),
            )
          : null,
        h(Hr, null),
        h(Text, { style: muted }, props.footer),
        props.unsubscribe
          ? h(
              Text,
              { style: muted },
              h(Link, { href: props.unsubscribe.href }, props.unsubscribe.label),
            )
          : null,
      ),
    ),
  );
}
