import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { i18n } from '../i18n';
import { renderUi } from '../test/render';
import { PhotoPicker } from './photo-picker';

describe('the photo picker', () => {
  it('passes on a photo chosen with the keyboard-reachable button', async () => {
    await i18n.changeLanguage('en');
    const onFiles = vi.fn();
    renderUi(<PhotoPicker label="Choose a photo" hint="Drop here" onFiles={onFiles} />);
    const input = document.querySelector('input[type=file]');
    if (!(input instanceof HTMLInputElement)) throw new Error('no file input');
    const photo = new File([new Uint8Array(10)], 'ring.png', { type: 'image/png' });
    await userEvent.upload(input, photo);
    expect(onFiles).toHaveBeenCalledWith([photo]);
    expect(screen.getByRole('button', { name: 'Choose a photo' })).toBeInTheDocument();
  });

  it('refuses a GIF before uploading and says why, in Turkish when chosen', async () => {
    await i18n.changeLanguage('tr');
    const onFiles = vi.fn();
    renderUi(<PhotoPicker label="Fotoğraf seçin" hint="Bırakın" onFiles={onFiles} />);
    const input = document.querySelector('input[type=file]');
    if (!(input instanceof HTMLInputElement)) throw new Error('no file input');
    const gif = new File([new Uint8Array(10)], 'ring.gif', { type: 'image/gif' });
    await userEvent.upload(input, gif, { applyAccept: false });
    expect(onFiles).not.toHaveBeenCalled();
    expect(screen.getByRole('alert')).toHaveTextContent(
      'ring.gif: Yalnızca JPEG, PNG veya WebP fotoğraflar kullanılabilir.',
    );
    await i18n.changeLanguage('en');
  });
});
