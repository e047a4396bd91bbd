package crm

import "net/http"

func (p *Pages) segmentRoutes(mux *http.ServeMux) {}
