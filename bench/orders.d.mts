export declare const HEADER: string;
export declare function orderLines(n: number, seed?: number): Generator<string>;
export declare function writeOrders(file: string, n: number, seed?: number): Promise<void>;
