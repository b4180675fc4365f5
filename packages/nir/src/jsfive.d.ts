/** The part of jsfive (a pure-JavaScript HDF5 reader, a port of pyfive) this package uses. */
declare module 'jsfive' {
  export class Group {
    readonly name: string;
    readonly keys: string[];
    get(path: string): Group | Dataset;
  }
  export class Dataset {
    readonly name: string;
    readonly shape: number[];
    /** `<f4`, `<f8`, `<i8`, ... or a vlen string descriptor (an array). */
    readonly dtype: string | unknown[];
    readonly value: unknown[];
  }
  export class File extends Group {
    constructor(buffer: ArrayBuffer, filename: string);
  }
}
