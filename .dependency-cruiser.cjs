/**
 * The layers, enforced (`npm run layers`, part of `npm test`). Arrows point down:
 *
 *   scripts/  bench/            entry points: may use anything below
 *   app/                        the pipeline and CLI (verify, plan, graph, diff, docs)
 *   charts/                     resolve an environment into construct props
 *   environments/               the typed model: data, and its checks
 *   validation/                 the rules that read synthesized output: may use lib/, never the reverse
 *   lib/                        the construct library: lib/constructs/ one construct per file,
 *                               lib/gitops/ and lib/addons/ by domain, helpers at the top
 *   lib/core/ + the kernel      what the model and the constructs both need (names, defaults,
 *                               quantities, plain JSON, cron, node sizes): it depends on nothing else
 *
 * test/ may import anything; nothing imports test/ (but the benchmarks, which reuse its fixtures).
 */
const KERNEL = '^lib/(core/|defaults[.]ts$|names[.]ts$|cron[.]ts$|node-allocatable[.]ts$|istio-proxy[.]ts$)';

module.exports = {
  forbidden: [
    {
      name: 'lib-is-a-library',
      comment:
        'lib/ holds constructs and helpers a stranger can lift: it never imports the validator, the model, the charts, the pipeline or the scripts',
      severity: 'error',
      from: { path: '^lib/' },
      to: { path: '^(validation|environments|charts|app|scripts|bench)/' },
    },
    {
      name: 'the-validator-reads-output',
      comment:
        'validation/ reads synthesized output with lib/ and the kernel: it never imports the model, the charts, the pipeline or the scripts',
      severity: 'error',
      from: { path: '^validation/' },
      to: { path: '^(environments|charts|app|scripts|bench)/' },
    },
    {
      name: 'charts-below-the-pipeline',
      comment: 'charts/ resolve the model into construct props; the pipeline and the scripts sit above them',
      severity: 'error',
      from: { path: '^charts/' },
      to: { path: '^(app|scripts|bench)/' },
    },
    {
      name: 'the-model-is-data',
      comment: 'environments/ is the typed model: it never imports the charts, the pipeline or the scripts',
      severity: 'error',
      from: { path: '^environments/' },
      to: { path: '^(charts|app|scripts|bench)/' },
    },
    {
      name: 'the-model-reads-only-the-kernel',
      comment:
        'environments/ may import from lib/ only the kernel both sides need (lib/core/, names, defaults, cron, node sizes), and nothing of the validator',
      severity: 'error',
      from: { path: '^environments/' },
      to: { path: '^(lib|validation)/', pathNot: KERNEL },
    },
    {
      name: 'the-kernel-depends-on-nothing',
      comment: 'the kernel imports nothing of the project outside itself',
      severity: 'error',
      from: { path: KERNEL },
      to: { path: '^(lib|validation|environments|charts|app|scripts|bench)/', pathNot: KERNEL },
    },
    {
      name: 'app-never-imports-scripts',
      comment: 'scripts/ are entry points that may call the pipeline; the pipeline never reaches back into them',
      severity: 'error',
      from: { path: '^app/' },
      to: { path: '^scripts/' },
    },
    {
      name: 'nothing-imports-tests',
      comment: 'test/ is a leaf: only the benchmarks reuse its fixtures',
      severity: 'error',
      from: { path: '^(lib|validation|environments|charts|app|scripts)/' },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|imports|[.]build|[.]cache|coverage)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
