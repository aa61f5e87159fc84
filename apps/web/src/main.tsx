import '@mantine/core/styles.css';
import './styles.css';
import './i18n';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { api } from './api';
import { App } from './app';

const root = document.getElementById('root');
if (root) {
  // In cookie mode a reload resumes the session with one refresh; in body mode there is nothing
  // to resume (the refresh token lived in memory) and this returns at once.
  void api.session
    .resume()
    .catch(() => false)
    .finally(() =>
      createRoot(root).render(
        <StrictMode>
          <App />
        </StrictMode>,
      ),
    );
}
