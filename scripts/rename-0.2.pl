# SPDX-License-Identifier: BSD-2-Clause
# rename-0.2.pl -- rewrites sources written for libsparsecode 0.1 to the
# 0.2 names (docs/api-conventions.md, "Naming").  Usage:
#     perl -pi scripts/rename-0.2.pl FILE...
our %map = (
  sc_param => 'sc_model_param', sc_param_bounds => 'sc_model_param_bounds',
  sc_solver_bounds => 'sc_solver_param_bounds', sc_dictionary_bounds => 'sc_dictionary_param_bounds',
  sc_dict_param => 'sc_dictionary_param', sc_dict_method => 'sc_dictionary_method',
  sc_dict_stats => 'sc_dictionary_stats', sc_step_stats => 'sc_model_stats',
  sc_local_units => 'sc_model_local_units', sc_status_str => 'sc_status_string',
  SC_DICT_ONLINE => 'SC_DICTIONARY_METHOD_ONLINE', SC_DICT_SGD => 'SC_DICTIONARY_METHOD_SGD',
  SC_GROUPS_NONE => 'SC_GROUP_LAYOUT_NONE', SC_GROUPS_CONTIGUOUS => 'SC_GROUP_LAYOUT_CONTIGUOUS',
  SC_GROUPS_TOPOGRAPHIC => 'SC_GROUP_LAYOUT_TOPOGRAPHIC', SC_PARAM_COUNT => 'SC_MODEL_PARAM_COUNT', SC_PARAM_TORUS => 'SC_MODEL_PARAM_TORUS',
);
for my $p (qw(ADAM_BETA1 ADAM_BETA2 ADAM_EPSILON CLASSES CLASSIFIER_MAX_NORM CLASSIFIER_RATE_SCALE CLASS_WEIGHT DECODER_MAX_NORM ENCODER ENCODER_MAX_NORM GROUP_EPSILON GROUP_LAYOUT GROUP_SIZE GROUP_WEIGHT IMAGE_CHANNELS IMAGE_HEIGHT IMAGE_WIDTH INIT_NOISE INIT_STEP ITERATIONS L1_WEIGHT LEARNING_RATE LOCAL_FIELD LOCAL_STRIDE MOMENTUM NORMALIZE_CODE OPTIMIZER POOL_POSITIONS POOL_SIGMA POOL_SIZE POOL_STRIDE RECON_WEIGHT REGRESSION_WEIGHT REPEAT_SCALING SHRINK THREADS TORUS_COLS TORUS_ROWS)) { $map{"SC_PARAM_$p"} = "SC_MODEL_PARAM_$p"; }
for my $p (qw(GROUP_EPSILON GROUP_LAYOUT GROUP_SIZE GROUP_WEIGHT L2 LAMBDA MAX_ITERATIONS MAX_NONZEROS MAX_RESIDUAL METHOD NONNEGATIVE POOL_SIGMA POOL_SIZE POOL_STRIDE THREADS TOLERANCE TORUS_COLS TORUS_ROWS)) { $map{"SC_SOLVER_$p"} = "SC_SOLVER_PARAM_$p"; }
for my $p (qw(ISTA FISTA COD CD_ACTIVE OMP)) { $map{"SC_METHOD_$p"} = "SC_SOLVER_METHOD_$p"; }
for my $p (qw(LAMBDA LEARNING_RATE METHOD NONNEGATIVE SOLVER_ITERATIONS SOLVER_TOLERANCE)) { $map{"SC_DICT_$p"} = "SC_DICTIONARY_PARAM_$p"; }
my $re = join '|', sort { length($b) <=> length($a) } keys %map;
s/\b($re)\b/$map{$1}/g;
