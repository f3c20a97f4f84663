import { useEffect, useRef, useState, type FormEvent } from 'react';
import { openFiles, openFolder, openFromUrl } from '../state/open-actions.ts';
import { isShortcut } from './keyboard.ts';

const ACCEPT = '.svs,.tif,.tiff,.ome.tif,.ome.tiff,.dcm,.png,.jpg,.jpeg,image/tiff,application/dicom,image/png,image/jpeg';

/** File picker and URL box. Files are read lazily in workers; nothing is uploaded. */
export function OpenControls() {
  const input = useRef<HTMLInputElement>(null);
  const folder = useRef<HTMLInputElement>(null);
  const [url, setUrl] = useState('');

  // O opens the file picker from anywhere but a text field or dialog (a key press is a user gesture, which the
  // browser requires before it shows a picker).
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.key === 'o' || event.key === 'O') && !event.shiftKey && !event.repeat && isShortcut(event)) {
        event.preventDefault();
        input.current?.click();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    openFromUrl(url);
  };

  return (
    <div className="open-controls">
      <button type="button" onClick={() => input.current?.click()} title="Open a local slide (O)">
        Open slide…
      </button>
      <input
        ref={input}
        type="file"
        accept={ACCEPT}
        data-testid="open-file"
        hidden
        multiple
        onChange={(event) => {
          openFiles([...(event.currentTarget.files ?? [])]);
          event.currentTarget.value = '';
        }}
      />
      <button type="button" onClick={() => folder.current?.click()} title="Open a folder holding one DICOM series (a level per file)">
        Open DICOM folder…
      </button>
      <input
        ref={folder}
        type="file"
        data-testid="open-folder"
        hidden
        {...{ webkitdirectory: '' }}
        onChange={(event) => {
          const files = [...(event.currentTarget.files ?? [])];
          if (files.length) openFolder(files);
          event.currentTarget.value = '';
        }}
      />
      <form onSubmit={submit} className="url-form">
        <input
          type="text"
          inputMode="url"
          spellCheck={false}
          placeholder="Slide URL (SVS/TIFF with range requests, .dzi, IIIF info.json)"
          value={url}
          onChange={(e) => setUrl(e.currentTarget.value)}
          aria-label="Slide URL"
          data-testid="open-url"
        />
        <button type="submit">Open URL</button>
      </form>
    </div>
  );
}
