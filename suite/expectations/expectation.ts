export type { Expectation } from '../../reports/model/expectation.js';
