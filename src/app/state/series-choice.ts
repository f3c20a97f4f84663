import { create } from 'zustand';

/** One DICOM series among files picked or dropped together. */
export interface SeriesChoice {
  uid: string;
  description: string;
  number: string;
  files: File[];
}

/** Series waiting for the user to pick one (files of several series were opened at once). */
export const useSeriesChoice = create<{ choices?: SeriesChoice[] }>(() => ({}));
