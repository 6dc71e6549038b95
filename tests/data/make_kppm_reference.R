# Reference fits of spatstat.model::kppm (3.2-1, R 4.2.2, Debian r-cran-spatstat.model) for
# tests/pointprocess/test_kppm.py. Run from this folder:  Rscript make_kppm_reference.R
# Writes spatstat_<name>.csv (the pattern, from spatstat.data) and kppm_<name>.json.
suppressMessages(library(spatstat.model))
jnum <- function(x) trimws(format(x, digits = 17))
jvec <- function(x) paste0("[", paste(ifelse(is.finite(x), trimws(jnum(x)), "null"), collapse = ", "), "]")
fitone <- function(X, clusters, method, statistic) {
  t0 <- proc.time()[["elapsed"]]
  fit <- if (method == "mincon") kppm(X ~ 1, clusters, method = "mincon", statistic = statistic)
         else kppm(X ~ 1, clusters, method = method)
  el <- proc.time()[["elapsed"]] - t0
  cp <- fit$clustpar
  sprintf('{"clusters": "%s", "method": "%s", "statistic": "%s", "kappa": %s, "scale": %s, "mu": %s, "par": %s, "seconds": %s, "command": "kppm(X ~ 1, \\"%s\\", method = \\"%s\\"%s)"}',
          clusters, method, statistic, jnum(cp[["kappa"]]), jnum(cp[["scale"]]), jnum(fit$mu), jvec(unname(fit$par)), jnum(el),
          clusters, method, if (method == "mincon") sprintf(', statistic = \\"%s\\"', statistic) else "")
}
for (name in c("redwood", "redwoodfull")) {
  X <- get(name)
  W <- Window(X)
  write.csv(data.frame(x = X$x, y = X$y), sprintf("spatstat_%s.csv", name), row.names = FALSE)
  K <- Kest(X, correction = "best")
  g <- pcf(X, correction = "best")
  fits <- c()
  for (cl in c("Thomas", "MatClust", "Cauchy", "VarGamma"))
    for (m in list(c("mincon", "K"), c("mincon", "pcf"), c("palm", ""), c("clik2", "")))
      fits <- c(fits, fitone(X, cl, m[1], m[2]))
  json <- sprintf('{"pattern": "%s", "source": "spatstat.data %s (R package spatstat.data)", "window": [%s, %s], "n": %d,\n "K_r": %s,\n "K_iso": %s,\n "pcf_r": %s,\n "pcf_iso": %s,\n "fits": [\n  %s\n ]}\n',
    name, packageVersion("spatstat.data"), jvec(W$xrange), jvec(W$yrange), npoints(X),
    jvec(K$r), jvec(K$iso), jvec(g$r), jvec(g$iso), paste(fits, collapse = ",\n  "))
  writeLines(json, sprintf("kppm_%s.json", name))
}
