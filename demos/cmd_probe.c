/* cmd_probe.c — `arcade probe --checkpoint F [--episodes E] [--seed S] [--epsilon EPS] [--json]`.
 *
 * Measures a trained network (agent/probe.h): per-layer weight norms, their product and
 * the forward-error bound kappa; greedy-action agreement and returns with weights and
 * activations rounded to fp16, bf16 and int8; the smallest FGSM epsilon that changes the
 * greedy action, and the return under a fixed epsilon. Prints a table, or with --json one
 * object whose keys the overfit harness reads (README: "arcade probe"). --levels
 * train|val|test plays episode i on level i of the set, exactly as `arcade eval --levels`
 * (the levels come from the same arc_cli_levels). 
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "../agent/agent.h"
#include "../agent/probe.h"
#include "../common/args.h"
#include "../env/level.h"
#include "commands.h"

/* a number, or null when it is not finite (JSON has no NaN or infinity) */
static void add_number(cJSON *obj, const char *key, double v)
{
    if (isfinite(v))
        cJSON_AddNumberToObject(obj, key, v);
    else
        cJSON_AddNullToObject(obj, key);
}

static char *report_json(const ArcProbeReport *r)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddNumberToObject(root, "params", (double)r->params);
    cJSON_AddNumberToObject(root, "flops_per_forward", r->flops_per_forward);
    cJSON *layers = cJSON_AddArrayToObject(root, "layers");
    for (int i = 0; i < r->num_layers; i++) {
        cJSON *l = cJSON_CreateObject();
        cJSON_AddStringToObject(l, "name", r->layers[i].name);
        add_number(l, "frobenius", r->layers[i].frobenius);
        add_number(l, "spectral", r->layers[i].spectral);
        cJSON_AddItemToArray(layers, l);
    }
    add_number(root, "spectral_product", r->spectral_product);
    add_number(root, "kappa", r->kappa);
    cJSON_AddNumberToObject(root, "states", r->states);
    cJSON *agree = cJSON_AddObjectToObject(root, "agreement");
    cJSON *ret = cJSON_AddObjectToObject(root, "return");
    add_number(ret, "fp32", r->ret[ARC_PREC_FP32]);
    for (int p = ARC_PREC_FP16; p < ARC_PREC_COUNT; p++) {
        add_number(agree, arc_precision_name((ArcPrecision)p), r->agreement[p]);
        add_number(ret, arc_precision_name((ArcPrecision)p), r->ret[p]);
    }
    add_number(ret, "fgsm", r->ret_fgsm);
    cJSON *fgsm = cJSON_AddObjectToObject(root, "fgsm");
    add_number(fgsm, "epsilon", r->epsilon);
    add_number(fgsm, "min_epsilon_median", r->eps_median);
    add_number(fgsm, "min_epsilon_q25", r->eps_q25);
    add_number(fgsm, "min_epsilon_q75", r->eps_q75);
    add_number(fgsm, "never_flipped", r->never_flipped);
    char *text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    ARC_CHECK(text, "cJSON_PrintUnformatted");
    return text;
}

static void print_table(const ArcAgent *agent, const ArcProbeReport *r, const ArcProbeOptions *o,
                        const char *level_set)
{
    printf("%s%s%s, %s agent after %lld frames: %zu parameters, %.0f FLOPs per forward\n", agent->game->name,
           agent->game->variant ? " " : "", agent->game->variant ? agent->game->variant : "", agent->algo,
           (long long)agent->frames, r->params, r->flops_per_forward);
    printf("%-8s %-12s %12s %12s %6s\n", "layer", "matrix", "frobenius", "spectral", "iters");
    for (int i = 0; i < r->num_layers; i++) {
        const ArcProbeLayer *l = &r->layers[i];
        char shape[32];
        snprintf(shape, sizeof shape, "%dx%d", l->rows, l->cols);
        printf("%-8s %-12s %12.4f %12.4f %6d\n", l->name, shape, l->frobenius, l->spectral, l->power_iters);
    }
    printf("spectral product %.4g   kappa (sum of suffix products) %.4g\n", r->spectral_product, r->kappa);
    char train_levels[32];
    arc_levels_format(agent->train_levels, train_levels, sizeof train_levels);
    printf("%d episodes (seed %llu, sticky %.2f, levels %s, trained with train_levels = %s), %d recorded "
           "states\n", o->episodes, (unsigned long long)o->seed, o->sticky, level_set ? level_set : "off",
           train_levels, r->states);
    printf("%-10s %10s %10s\n", "precision", "agreement", "return");
    for (int p = 0; p < ARC_PREC_COUNT; p++)
        printf("%-10s %10.4f %10.2f\n", arc_precision_name((ArcPrecision)p), r->agreement[p], r->ret[p]);
    printf("FGSM: min epsilon over %d flipped states: q25 %.4f  median %.4f  q75 %.4f; never flipped "
           "by eps <= 1: %.1f%%\n", r->flipped, r->eps_q25, r->eps_median, r->eps_q75, 100 * r->never_flipped);
    printf("FGSM: return with every observation perturbed at eps %.3f: %.2f\n", r->epsilon, r->ret_fgsm);
}

int arc_cmd_probe(int argc, char **argv)
{
    const char *checkpoint = NULL, *level_set = NULL;
    ArcProbeOptions o = arc_probe_options_default();
    int64_t episodes = o.episodes, seed = (int64_t)o.seed, max_steps = o.max_steps, states = o.max_states;
    double epsilon = o.epsilon, sticky = o.sticky;
    bool json = false;
    ArcFlag flags[] = {
        {"checkpoint", ARC_FLAG_STRING, &checkpoint, 1, 0, "checkpoint to probe (required)", false},
        {"episodes", ARC_FLAG_INT, &episodes, 1, 10000, "episodes per policy (30)", false},
        {"seed", ARC_FLAG_INT, &seed, 0, 4294967295.0, "base seed of the episodes (1000)", false},
        {"epsilon", ARC_FLAG_DOUBLE, &epsilon, 0, 1, "FGSM epsilon of the perturbed return (0.1)", false},
        {"states", ARC_FLAG_INT, &states, 1, 1000000, "visited states kept for agreement and FGSM (1000)", false},
        {"max-steps", ARC_FLAG_INT, &max_steps, 1, 1000000, "step cap per episode (2000)", false},
        {"sticky", ARC_FLAG_DOUBLE, &sticky, 0, 1, "sticky-action probability (0.1)", false},
        {"levels", ARC_FLAG_STRING, &level_set, 1, 0, "play level i of train|val|test in episode i", false},
        {"json", ARC_FLAG_BOOL, &json, 1, 0, "print one JSON object", false},
    };
    int parsed = arc_args_parse(argc, argv, flags, (int)(sizeof flags / sizeof flags[0]),
                                "arcade probe --checkpoint F [--episodes E] [--seed S] [--epsilon EPS] "
                                "[--levels train|val|test] [--json]");
    if (parsed) return parsed == ARC_ARGS_HELP ? 0 : 2;
    if (!checkpoint) {
        fprintf(stderr, "%s: --checkpoint is required\n", argv[0]);
        return 2;
    }
    o.episodes = (int)episodes, o.seed = (uint64_t)seed, o.max_steps = max_steps;
    o.max_states = (int)states, o.epsilon = epsilon, o.sticky = sticky;
    ArcAgent agent;
    ArcErr err;
    if (arc_agent_load(&agent, checkpoint, 1, true, &err)) {
        fprintf(stderr, "%s: %s\n", argv[0], err.msg);
        return 1;
    }
    uint32_t *levels = NULL;
    if (level_set && !(levels = arc_cli_levels(argv[0], level_set, agent.train_levels, o.episodes, checkpoint))) {
        arc_agent_free(&agent);
        return 2;
    }
    o.levels = levels;
    ArcProbeReport r;
    int status = arc_probe_run(agent.net, agent.game, &o, &r, &err);
    if (status) {
        fprintf(stderr, "%s: %s\n", argv[0], err.msg);
    } else if (json) {
        char *text = report_json(&r);
        printf("%s\n", text);
        free(text);
    } else {
        print_table(&agent, &r, &o, level_set);
    }
    free(levels);
    arc_agent_free(&agent);
    return status ? 1 : 0;
}
