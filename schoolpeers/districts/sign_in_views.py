"""The district's single sign-on providers: a district admin adds and edits them."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for

from schoolpeers.accounts import sso
from schoolpeers.accounts.access import role_required
from schoolpeers.districts.access import current_district, provider_or_404
from schoolpeers.districts.sign_in_forms import ProviderForm
from schoolpeers.refusals import FieldRefusal
from schoolpeers.web import absolute_url, audit, change, show_refusal

bp = Blueprint("district_sign_in", __name__, url_prefix="/district/sign-in", template_folder="templates")


@bp.route("/")
@role_required("district_admin")
def providers():
    district = current_district()
    listed = [(p, sso.linked_accounts(p)) for p in sso.list_providers(district.id)]
    return render_template("districts/sign_in.html", district=district, providers=listed,
                           redirect_uri=absolute_url("sso.callback"))


@bp.route("/new", methods=["GET", "POST"])
@role_required("district_admin")
def new():
    district = current_district()
    form = ProviderForm()
    if form.validate_on_submit() and _saved(form, district, None):
        return redirect(url_for("district_sign_in.providers"))
    return render_template("districts/sign_in_form.html", form=form, provider=None,
                           redirect_uri=absolute_url("sso.callback"))


@bp.route("/<int:provider_id>", methods=["GET", "POST"])
@role_required("district_admin")
def edit(provider_id: int):
    provider = provider_or_404(provider_id)
    form = ProviderForm(data={
        "kind": provider.kind, "label": provider.label, "client_id": provider.client_id,
        "allowed_domains": "\n".join(provider.allowed_domains or ()), "tenant_id": sso.tenant_of(provider),
        "issuer": provider.issuer if provider.kind == "oidc" else "", "roster_id_claim": provider.roster_id_claim,
        "trust_provider_mfa": provider.trust_provider_mfa, "enabled": provider.enabled})
    if form.validate_on_submit() and _saved(form, current_district(), provider):
        return redirect(url_for("district_sign_in.providers"))
    return render_template("districts/sign_in_form.html", form=form, provider=provider,
                           linked=sso.linked_accounts(provider), redirect_uri=absolute_url("sso.callback"))


def _saved(form: ProviderForm, district, provider) -> bool:
    """Save the form's settings (one commit, audited); a refusal is shown next to its field."""
    with change(FieldRefusal, flash_refusal=False) as outcome:
        saved, changed = sso.save_provider(
            district.id, provider, kind=form.kind.data, label=form.label.data, client_id=form.client_id.data,
            client_secret=form.client_secret.data, domains_text=form.allowed_domains.data or "",
            tenant_id=form.tenant_id.data, issuer=form.issuer.data, roster_id_claim=form.roster_id_claim.data,
            trust_provider_mfa=form.trust_provider_mfa.data, enabled=form.enabled.data)
        audit("district.sign_in_provider.create" if provider is None else "district.sign_in_provider.update",
              record_type="sign_in_provider", record_id=saved.id, detail={"changed": changed})
        outcome.success = f"{saved.label} is saved."
    if outcome.refused:
        show_refusal(form, outcome.refusal)
        return False
    return True
