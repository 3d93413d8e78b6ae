import { describe, expect, it } from 'vitest';
import { correlation, detection } from '../test/builders.js';
import { EnrichmentConfigError } from './errors.js';
import { compileTemplate, type TemplateSite } from './template.js';

const det: TemplateSite = { enricherId: 'runbook_det', kind: 'detection', field: 'template' };
const corr: TemplateSite = { enricherId: 'corr_t', kind: 'correlation', field: 'template' };

function configError(run: () => unknown): EnrichmentConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof EnrichmentConfigError) return error;
    throw error;
  }
  throw new Error('no error thrown');
}

describe('compileTemplate', () => {
  it('renders detection paths: rule metadata, tags, fields, event paths and earlier enrichments', () => {
    const r = detection(
      { 'Image.Path': 'C:\\a.exe', User: 'bob' },
      { tags: ['a', 'b'], event: { x: { y: [10, { z: true }] } }, enrichments: { 'geo.country': 'DE', owner: { team: 'ops' } } },
    );
    const t = compileTemplate(
      '${detection.rule.id}|${detection.rule.title}|${detection.rule.level}|${detection.tags}|${detection.fields.Image.Path}|' +
        '${detection.event.x.y.1.z}|${detection.event.x.y}|${detection.enrichments.geo.country}|${detection.enrichments.owner.team}|${detection.fields.Nope}',
      det,
      'raw',
    );
    expect(t.render(r)).toBe('rule-1|Suspicious Logon|high|a,b|C:\\a.exe|true|[10,{"z":true}]|DE|ops|');
    expect(t.readsEvent).toBe(true);
  });

  it('renders correlation paths; integral aggregated values have no decimal point', () => {
    const r = correlation({
      group_key: [
        ['Computer', 'dc01'],
        ['User', 'bob'],
      ],
      aggregated_value: 12,
    });
    const t = compileTemplate(
      '${correlation.type} ${correlation.aggregated_value} ${correlation.timespan_secs} ${correlation.group_key} ${correlation.group_key.User}',
      corr,
      'raw',
    );
    expect(t.render(r)).toBe('event_count 12 300 Computer=dc01,User=bob bob');
  });

  it('missing values and null render empty; $${ is a literal ${', () => {
    expect(compileTemplate('[${detection.rule.id}] $${detection.rule.id}', det, 'raw').render(detection({}, { rule_id: null }))).toBe(
      '[] ${detection.rule.id}',
    );
  });

  it('environment variables are read at render time and never escaped; unset renders empty', () => {
    const t = compileTemplate('${TSIGMA_TEST_BASE}/x/${detection.fields.User}', { ...det, field: 'url' }, 'url');
    delete process.env['TSIGMA_TEST_BASE'];
    expect(t.render(detection({ User: 'a b' }))).toBe('/x/a%20b');
    process.env['TSIGMA_TEST_BASE'] = 'https://h.example/a b';
    expect(t.render(detection({ User: 'a/b?c' }))).toBe('https://h.example/a b/x/a%2Fb%3Fc');
    delete process.env['TSIGMA_TEST_BASE'];
  });

  it('escapes result values by destination: header drops CR/LF, json escapes quotes, raw keeps everything', () => {
    const r = detection({ User: 'a"b\r\nX-Evil: 1' });
    expect(compileTemplate('${detection.fields.User}', det, 'header').render(r)).toBe('a"bX-Evil: 1');
    expect(compileTemplate('"${detection.fields.User}"', det, 'json').render(r)).toBe('"a\\"b\\r\\nX-Evil: 1"');
    expect(compileTemplate('${detection.fields.User}', det, 'raw').render(r)).toBe('a"b\r\nX-Evil: 1');
  });

  it('a correlation reference in a detection enricher is a config error naming the enricher, field and reference', () => {
    const error = configError(() => compileTemplate('https://x/${correlation.type}', { ...det, field: 'url' }, 'url'));
    expect(error.code).toBe('invalid_template');
    expect(error.spot).toMatchObject({ enricherId: 'runbook_det', key: 'url' });
    expect(error.message).toContain(
      "enricher 'runbook_det' (kind: detection) references '${correlation.type}' in field 'url'; this is the wrong namespace for a detection enricher",
    );
  });

  it.each(['${}', '${detection.fields}', '${detection.nope}', '${correlation.fields.User}', '${a.b}', '${detection.rule.id'])(
    'rejects %s at load',
    (text) => {
      const site = text.includes('correlation') ? corr : det;
      const error = configError(() => compileTemplate(text, site, 'raw'));
      expect(error.code).toBe('invalid_template');
      expect(error.spot.enricherId).toBe(site.enricherId);
    },
  );
});
