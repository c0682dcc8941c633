// binary-parser ships types only for its CommonJS entry; under NodeNext its ESM entry is untyped.
// This declares the part of its API that the codec uses.
declare module 'binary-parser' {
  export class Parser<T = Record<string, never>> {
    constructor();
    endianness(endianness: 'big' | 'little'): Parser<T>;
    uint8<N extends string>(name: N): Parser<T & { [K in N]: number }>;
    uint16<N extends string>(name: N): Parser<T & { [K in N]: number }>;
    uint32<N extends string>(name: N): Parser<T & { [K in N]: number }>;
    parse(buffer: Buffer | Uint8Array): T;
    sizeOf(): number;
  }
}
