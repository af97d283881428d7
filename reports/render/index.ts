export { renderReports, type RenderedReports } from './render-reports.js';
export { assertResultsFile, parseResultsFile, readResultsFile } from './read-results-file.js';
export { InvalidResultsFileError, ReportWriteError, type InvalidResultsProblem } from './render-errors.js';
export { renderJunit } from './junit.js';
export { renderMarkdown } from './markdown.js';
export { renderHtml } from './html.js';
export { renderBadges, badgeVerdict, type Badge, type BadgeColour } from './badges.js';
