/** The text `akashgen --help` prints. */
import { DEFAULT_PREFERRED_GPUS } from '@akashgen/contract'
import { DEFAULT_URL } from './args.ts'

/** Usage, flags, environment and exit codes, as printed by --help. */
export const HELP = `Usage: akashgen "<prompt>" [-o <file>|-] [flags]

Generates one image on an akashgen gateway, showing its progress on stderr.

Flags:
  -o, --output <file>   where to write the image; "-" for stdout
                        (default: a new file named after the prompt and the job, e.g. a-lake-at-dawn-3f1c2a.webp)
  --negative <text>     what to avoid
  --sampler <name>      a ComfyUI sampler (dpmpp_2m, euler, ...) or an AUTOMATIC1111 name ("DPM++ 2M Karras", ...)
  --scheduler <name>    normal, karras, exponential, sgm_uniform, simple, ddim_uniform, beta, linear_quadratic
  --gpu <list>          GPUs the job may run on, best first, comma-separated
                        (default: ${DEFAULT_PREFERRED_GPUS.join(',')})
  --url <url>           the gateway (default: $AKASHGEN_URL or ${DEFAULT_URL})
  --api-key <key>       sent as "Authorization: Bearer <key>" (default: $AKASHGEN_API_KEY)
  --json                print the finished job's view as JSON on stdout (the image is written only with -o)
  --timeout <seconds>   give up (and cancel the job) after this long
  --webhook <url>       also POST the job's final state there, signed (the gateway needs a webhook secret)
  -h, --help            show this text
  --version             print the version

Exit codes:
  0    the image was written
  2    bad input (flags, prompt, sampler...)
  3    the job or the gateway failed
  4    timed out (--timeout, or the gateway's own deadline)
  130  interrupted (Ctrl-C); the job is cancelled on the gateway

Examples:
  akashgen "a lake at dawn" -o lake.webp
  akashgen "a red fox in the snow" --sampler "DPM++ 2M Karras" -o - > fox.webp
  akashgen "a castle in the clouds" --gpu RTX4090,A100 -o castle.webp
  akashgen "a lighthouse" --json --url http://gateway:6571 | jq .worker`
