import { DropZone } from './ui/DropZone.tsx';
import { ErrorAlert } from './ui/ErrorAlert.tsx';
import { OpenControls } from './ui/OpenControls.tsx';
import { StatusLine } from './ui/StatusLine.tsx';
import { Viewer } from './ui/Viewer.tsx';
import { KeyboardHelp } from './ui/KeyboardHelp.tsx';
import { HeatmapControls } from './ui/HeatmapControls.tsx';
import { QuickCheck, QuickCheckButton } from './ui/QuickCheck.tsx';
import { DicomWebBrowser, DicomWebButton } from './ui/DicomWebBrowser.tsx';
import { SeriesChoiceDialog } from './ui/SeriesChoiceDialog.tsx';
import { SlideQueue, SlideQueueButton } from './ui/SlideQueue.tsx';

export function App() {
  return (
    <DropZone>
      <div className="app">
        <header className="toolbar">
          <h1 className="brand">
            FocusLite <span>Viewer</span>
          </h1>
          <OpenControls />
          <QuickCheckButton />
          <DicomWebButton />
          <SlideQueueButton />
          <div className="spacer" />
          <KeyboardHelp />
        </header>
        <ErrorAlert />
        <DicomWebBrowser />
        <SlideQueue />
        <SeriesChoiceDialog />
        <main className="stage">
          <Viewer />
          <HeatmapControls />
          <QuickCheck />
        </main>
        <StatusLine />
      </div>
    </DropZone>
  );
}
