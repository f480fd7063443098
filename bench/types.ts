/** One measured figure, printed beside the baseline it is compared to. */
export interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline?: number;
  /** value / baseline, where the target is a ratio. */
  readonly ratio?: number;
  readonly target?: string;
  readonly ok?: boolean;
}

export interface Benchmark {
  readonly name: string;
  readonly description: string;
  run(): Promise<Figure[]>;
}
